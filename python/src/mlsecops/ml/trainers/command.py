"""`train.kind: command`: the team's own training program, run as a subprocess inside the worker.

`train.command` (e.g. ["python", "train.py", "--epochs", "3"]) runs in the config file's
folder, whose code stage 3 scanned; "python" / "python3" as the first word is the worker's
own interpreter. Its output is streamed to the log line by line, its time is limited by
`train.timeout_seconds`. The environment it gets (besides the worker's own and
`train.command_env`):

  MLSECOPS_OUTPUT_DIR        write the model files here (every file in it is the model release)
  MLSECOPS_PREDICTIONS_FILE  write the held-out predictions here (CSV: row,label,prediction[,proba_<label>...])
  MLSECOPS_TRAIN_FILE        the training rows of train.dataset (CSV with a leading `row` column)
  MLSECOPS_TEST_FILE         the held-out rows to predict (same layout)
  MLSECOPS_LABEL_COLUMN      train.label_column
  MLSECOPS_INPUT_DIR         the folder holding every loaded source
  MLSECOPS_SOURCE_<NAME>     the path of each load source (name upper-cased, other characters as _)
  MLSECOPS_SEED, PYTHONHASHSEED   train.seed
  MLSECOPS_FOLDS, MLSECOPS_TEST_SIZE, MLSECOPS_THREADS   train.folds, train.test_size, train.threads
  MLSECOPS_MODEL_DIR         (pretrained only) the folder holding the loaded model files

The split variables exist only when train.dataset names a source ("" for none: the program
splits itself and its predictions are taken as they are). A program that cannot start is
exit 2; one that fails, times out, writes no model file or bad predictions is exit 1, with
the last lines of its stderr.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from mlsecops.errors import GateFailed, UsageError
from mlsecops.ml.predictions import (
    PREDICTIONS_FILE,
    PredictionsError,
    check_against_split,
    infer_task,
    read_predictions,
)
from mlsecops.ml.table import write_csv
from mlsecops.ml.trainers.common import SPLIT_FILE, files_under, read_dataset_table, split_dataset
from mlsecops.ml.trainers.interface import TrainJob, TrainOutput
from mlsecops.redact import scrub

MODEL_DIR = "model"
STDERR_TAIL = 3


class ProgramFailed(GateFailed):
    """The team's program did not do its job: the build stops (exit 1)."""


def source_variable(name: str) -> str:
    return "MLSECOPS_SOURCE_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def program(command: list[str], key: str = "train.command") -> list[str]:
    if not command:
        raise UsageError(f"{key}: empty; name the training program, e.g. [\"python\", \"train.py\"]")
    first = command[0]
    if first in ("python", "python3"):
        return [sys.executable, *command[1:]]
    return list(command)


# arguments that name a script the program runs: one missing is a config mistake (exit 2), not a
# program that failed (the interpreter's own "can't open file" would be exit 1)
SCRIPT_SUFFIXES = (".py", ".sh", ".bash", ".R", ".r", ".jl", ".rb", ".pl", ".js", ".ts")


def check_program_files(command: list[str], cwd: Path, key: str = "train.command") -> None:
    """Refuse before running when the program or a script argument names a file that does not exist.

    Checked: an argument ending in a script suffix, and a program given as a path (`./train.sh`);
    relative ones are relative to `cwd` (the config's folder), where the program runs.
    """
    for index, argument in enumerate(command):
        if argument.startswith("-") or "=" in argument or any(char.isspace() for char in argument):
            continue  # an option, one carrying its value, or a shell line (`sh -c "..."`): not a file name
        is_path_program = index == 0 and ("/" in argument or "\\" in argument)
        if not (is_path_program or argument.endswith(SCRIPT_SUFFIXES)):
            continue
        path = Path(argument)
        if not (path if path.is_absolute() else cwd / path).is_file():
            raise UsageError(f"{key}[{index}]: '{argument}' not found (in {cwd})")


def _stream(pipe, sink: Callable[[str], None], tail: deque[str] | None) -> None:  # noqa: ANN001 - a text pipe
    for line in pipe:
        line = scrub(line.rstrip("\n"))
        sink(f"  | {line}")
        if tail is not None and line.strip():
            tail.append(line.strip())
    pipe.close()


def _stop(process: subprocess.Popen) -> None:
    """The program and everything it started: they share the session it leads."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def run_program(
    command: list[str], cwd: Path, env: dict[str, str], timeout: float, echo: Callable[[str], None],
    key: str = "train.command",
) -> float:
    """Run it, streaming its output; ProgramFailed on a non-zero exit or timeout. Returns its seconds."""
    argv = program(command, key)
    check_program_files(command, cwd, key)
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            encoding="utf-8", errors="replace", bufsize=1, start_new_session=True,
        )
    except FileNotFoundError:
        raise UsageError(f"{key}: program '{command[0]}' not found (in {cwd} or on PATH)") from None
    except PermissionError:
        raise UsageError(f"{key}: program '{command[0]}' is not executable") from None
    tail: deque[str] = deque(maxlen=STDERR_TAIL)
    readers = [
        threading.Thread(target=_stream, args=(process.stdout, echo, None), daemon=True),
        threading.Thread(target=_stream, args=(process.stderr, echo, tail), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise ProgramFailed(f"{key}: '{command[0]}' did not finish within {timeout:g} s (train.timeout_seconds); "
                            "stopped") from None
    except BaseException:
        _stop(process)
        raise
    for reader in readers:
        reader.join(timeout=5)
    if code != 0:
        last = " | ".join(tail) or "(nothing on stderr)"
        raise ProgramFailed(f"{key}: '{command[0]}' exited with {code}: {last}")
    return time.monotonic() - started


def base_environment(job: TrainJob) -> dict[str, str]:
    settings = job.config.train
    env = dict(os.environ)
    env.update({
        "MLSECOPS_INPUT_DIR": str((job.workspace_root / "load").resolve()),
        "MLSECOPS_SEED": str(settings.seed),
        "PYTHONHASHSEED": str(settings.seed),
        "MLSECOPS_FOLDS": str(settings.folds),
        "MLSECOPS_TEST_SIZE": str(settings.test_size),
        "MLSECOPS_THREADS": str(settings.threads),
        "MLSECOPS_LABEL_COLUMN": settings.label_column,
        "MLSECOPS_PREDICTIONS_FILE": str((job.folder / PREDICTIONS_FILE).resolve()),
    })
    for artifact in job.loaded:
        env[source_variable(artifact.name)] = str(artifact.path.resolve())
    env.update(settings.command_env)
    return env


def write_split_files(job: TrainJob, env: dict[str, str]) -> tuple[str, dict[str, object]]:
    """The held-out split of train.dataset as two CSVs for the program, and the task; none without a dataset."""
    task = job.config.train.task
    if not job.config.train.dataset:
        return task, {}
    dataset = read_dataset_table(job)
    if task == "auto":
        task = infer_task([str(v).strip() for v in dataset.table.column(job.config.train.label_column)], [])
    split = split_dataset(job, dataset, task)
    folder = job.folder / "data"
    columns = ["row", *dataset.table.columns]
    for name, part in (("train", split.train), ("test", split.test)):
        records = [{"row": row, **record} for row, record in zip(part.rows, part.records, strict=True)]
        write_csv(folder / f"{name}.csv", columns, records)
        env[f"MLSECOPS_{name.upper()}_FILE"] = str((folder / f"{name}.csv").resolve())
    return task, {"dataset": dataset.record(), "train_rows": len(split.train.rows), "test_rows": len(split.test.rows)}


def check_predictions(job: TrainJob, task: str) -> tuple[str, list[str], int]:
    """The program's predictions: present and readable, and of exactly the held-out rows when we split."""
    import json

    path = job.folder / PREDICTIONS_FILE
    shown = "MLSECOPS_PREDICTIONS_FILE (train/predictions.csv)"
    if not path.is_file():
        raise ProgramFailed(f"train.command: the program wrote no predictions file ({shown}); "
                            "evaluate needs the held-out predictions")
    try:
        predictions = read_predictions(path, f"train/{PREDICTIONS_FILE}", task)
    except PredictionsError as exc:
        raise ProgramFailed(f"train.command: {exc}") from None
    split_path = job.folder / SPLIT_FILE
    if split_path.is_file():
        split = json.loads(split_path.read_text(encoding="utf-8"))
        rows = [int(row) for row in split["test_rows"]]
        dataset = read_dataset_table(job, None)
        truth_table = dataset.table.select(rows, dataset.shown)
        truth = [str(value).strip() for value in truth_table.column(job.config.train.label_column)]
        try:
            check_against_split(predictions, rows, truth, f"train/{PREDICTIONS_FILE}")
        except PredictionsError as exc:
            raise ProgramFailed(f"train.command: {exc}") from None
    return predictions.task, predictions.labels, len(predictions)


def collect_model(job: TrainJob, model_dir: Path, command: str) -> list[Path]:
    files = files_under(model_dir)
    if not files:
        raise ProgramFailed(f"train.command: '{command}' wrote no model file to MLSECOPS_OUTPUT_DIR "
                            f"({model_dir})")
    return files


def train(job: TrainJob) -> TrainOutput:
    settings = job.config.train
    program(settings.command)
    check_program_files(settings.command, Path(job.config.base_dir))
    model_dir = job.folder / MODEL_DIR
    model_dir.mkdir()
    env = base_environment(job)
    env["MLSECOPS_OUTPUT_DIR"] = str(model_dir.resolve())
    task, split = write_split_files(job, env)
    job.echo(f"train: running {' '.join(settings.command)} (in {job.config.base_dir}, "
             f"time limit {settings.timeout_seconds:g} s)")
    seconds = run_program(settings.command, Path(job.config.base_dir), env, settings.timeout_seconds, job.echo)
    model_files = collect_model(job, model_dir, settings.command[0])
    task, labels, rows = check_predictions(job, task)
    shutil.rmtree(job.folder / "data", ignore_errors=True)  # a copy of the dataset: not an output
    job.echo(f"train: the program finished in {seconds:.1f} s; {len(model_files)} model file(s), "
             f"{rows} held-out predictions")
    return TrainOutput(
        model_files=model_files,
        other_files=[job.folder / SPLIT_FILE] if (job.folder / SPLIT_FILE).is_file() else [],
        predictions=job.folder / PREDICTIONS_FILE,
        task=task,
        labels=labels,
        details={"command": list(settings.command), "seconds": round(seconds, 3), **split},
        tools={"python": sys.version.split()[0]},
    )
