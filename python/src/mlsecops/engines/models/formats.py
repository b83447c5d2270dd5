"""Our own model-file checks: every way a loader could read a file is followed, nothing is loaded.

A file's format is decided by its structure, not its first bytes: a zip is found by its central
directory (Python's zipfile, and so Keras and numpy, open zips with bytes prepended), HDF5 by its
superblock (after a user block too), a pickle by parsing from byte 0 in any protocol, compressed
streams by their magic (as joblib and gzip detect them), tar by its headers. Each reading that
applies is followed, and members of archives and compressed streams are inspected the same way,
recursively. Pickles are walked symbolically (`pickle_inspect`), zips and tars read member by
member with size caps, HDF5 opened only to read attributes and storage layouts (external files,
virtual datasets, external links: never followed), JSON parsed as JSON (a Hugging Face config's
`auto_map` or `custom_pipelines` names the remote code beside it, parsed as source; its chat
templates, and `.jinja` files, judged by `model_templates`), archive members judged by their
headers (`..`, absolute names, links out of the archive), zstd read when `zstandard` is
installed; a stream nothing here can decompress (lz4 without `lz4`, 7z) is a "not scanned" problem.
A torch file that a pickle embeds as literal bytes (`torch.storage._load_from_bytes`, what
`pickle.dumps(tensor)` writes) is inspected as the file `torch.load` would read.
Python source a loader imports (`loader_code`: hubconf.py, custom_generate/, the modules an
`auto_map`, `modules.json` or `model_index.json` names and their relative imports) is judged file by
file, on disk and as archive members alike. Decompressed streams are spooled to a temporary file
(runs of zeros left as holes), so gigabytes of padding cost neither memory nor a false "corrupt".
"""

from __future__ import annotations

import functools
import io
import re
import stat
import struct
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from mlsecops.engines.models import gguf as model_gguf
from mlsecops.engines.models import hf as model_hf
from mlsecops.engines.models import keras_files as model_keras
from mlsecops.engines.models import loader_code as model_loader_code
from mlsecops.engines.models import loaders as model_loaders
from mlsecops.engines.models import npy as model_numpy
from mlsecops.engines.models import onnx_files as model_onnx
from mlsecops.engines.models import templates as model_templates
from mlsecops.engines.models import torch_files as model_torch
from mlsecops.engines.models.containers import (
    DecompressError,
    DecompressorMissing,
    compression_of,
    decompress_into,
    link_escape,
    member_escape,
    through_links,
)
from mlsecops.engines.models.pickle_inspect import PickleWalk, may_start_pickle, walk_following, walk_pickle
from mlsecops.engines.models.pickle_trusted import TRUSTED_GLOBALS
from mlsecops.engines.models.problems import CLEAN, ERROR, UNSAFE, UNSUPPORTED, FileVerdict, Problem, unreadable
from mlsecops.findings import Severity

SCANNER = "mlsecops"

# Extensions that announce a model or serialized-object file; content decides the format.
PICKLE_EXTENSIONS = frozenset(
    (".pkl", ".pickle", ".p", ".pt", ".pth", ".bin", ".ckpt", ".joblib", ".dill", ".dat", ".data", ".sav",
     ".pkl.gz")
)
MODEL_EXTENSIONS = frozenset(
    (
        *PICKLE_EXTENSIONS, ".model", ".mar", ".h5", ".hdf5", ".keras", ".npy", ".npz", ".safetensors", ".onnx",
        ".pb", ".gguf", ".ggml", ".msgpack", ".tflite", ".skops", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".lzma", ".zip",
        ".z", ".zlib", ".lz4", ".zst", ".zstd", ".7z",
    )
)

# Extensions also used for raw tensor bytes (ONNX external data, GGML): not a pickle unless they parse as one.
RAW_DATA_EXTENSIONS = frozenset((".bin", ".dat", ".data"))
MAX_MEMBER_BYTES = 1 << 30  # a member (read into memory) larger than this is not read
MAX_INFLATED_STREAM = 4 << 30  # a decompressed stream larger than this is not read (it is spooled to disk)
SPOOL_BYTES = 64 << 20  # a decompressed stream up to this size stays in memory
MAX_ZIP_MEMBERS = 100_000
MAX_NESTING = 6
FICKLING_MAX_BYTES = 64 << 20
HEAD = 512  # enough for a tar header
MAX_CONFIG_BYTES = 16 << 20
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_TORCH_DATA_MEMBER = re.compile(r"(^|/)data/\d+$")
# PERSID/BINPERSID: pickle.load, joblib and the first pickle of torch's legacy loader have no persistent_load
# and stop on it before importing anything. A file another reader understood that merely starts with the
# byte (every zip starts with "P") is that format, not a pickle.
_PERSISTENT_ID = (b"P", b"Q")


@dataclass
class PickleStream:
    """A pickle found inside a file: handed to pickle scanners (fickling) as bytes."""

    where: str
    data: bytes


@dataclass
class Inspection:
    verdict: FileVerdict
    format: str = "unknown"
    pickles: list[PickleStream] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)

    def saw(self, kind: str) -> None:
        if kind not in self.formats:
            self.formats.append(kind)
        if self.format in ("unknown", "zip"):
            self.format = kind


@dataclass
class _Ctx:
    inspection: Inspection
    trusted: frozenset[tuple[str, str]]
    folder: Path | None = None  # the folder of the file on disk
    top: str = ""  # how the file itself (not an archive member) is named in findings

    def record(self, problems: list[Problem], walk: PickleWalk | None = None) -> None:
        for problem in problems:
            self.inspection.verdict.add(problem)
        if walk is not None:
            self.inspection.verdict.explained.update(walk.trusted_refs)

    def fail(self, detail: str) -> None:
        verdict = self.inspection.verdict
        verdict.problems.append(unreadable(detail))
        verdict.verdict = UNSAFE if len(verdict.problems) > 1 else ERROR
        verdict.note = detail[:300]


def _size(handle: BinaryIO) -> int:
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def suffixes(name: str) -> str:
    lowered = name.lower()
    return ".pkl.gz" if lowered.endswith(".pkl.gz") else Path(lowered).suffix


def looks_like_model(path: Path) -> bool:
    """Whether a file met while walking a tree is a model file (by extension or content)."""
    if suffixes(path.name) in MODEL_EXTENSIONS:
        return True
    lowered = path.name.lower()
    if (lowered.endswith("config.json") or lowered == "chat_template.json") and _needs_review(path):
        return True  # otherwise judged by content below: a pickle named config.json is still a pickle
    if lowered.endswith(".jinja"):
        return True  # a chat template (`chat_template.jinja`, `additional_chat_templates/*.jinja`)
    if lowered in model_loaders.LOADER_JSON_NAMES or lowered == "mlmodel":
        return True  # loader configs that import repository code (diffusers, sentence-transformers, MLflow)
    if model_loader_code.disk_loader_code(path):
        return True  # source a loader imports: hubconf.py, custom_generate/, modules a config names
    if path.suffix.lower() == ".dat" and _shelf_offsets(path):
        return True  # a dbm.dumb shelf: shelve.open unpickles every value
    if _sqlite(path):
        return True  # sqlitedict: values are pickles
    if (lowered == "tokenizer.json" or lowered.endswith((".yaml", ".yml"))) and _mentions(
            path, (b'"Regex"', b"_target_", b"python/", b"tag:yaml.org")):
        return True  # tokenizer regexes (ReDoS), Hydra/NeMo instantiation targets; else judged by content below
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD)
            size = _size(handle)
            if head.startswith((model_numpy.NPY_MAGIC, model_gguf.GGUF_MAGIC, b"PK\x03\x04")) or compression_of(head):
                return True
            if model_keras.hdf5_offset(handle, min(size, 1 << 16)) is not None:
                return True
            if head[:1] == b"\x80" and len(head) > 1 and head[1] <= 5:
                return True
            if _is_zip(handle):
                return True
            if _is_tar(head, size):
                return True
            if _is_arrow(head, suffixes(path.name)):
                return True
            if may_start_pickle(head) and size < (64 << 20):
                walk = walk_pickle(handle, where=path.name)
                return walk.pickles > 0 and walk.opcodes > 1
    except OSError:
        return False
    return False


MAX_SHELF_VALUES = 10_000
SHELF_BLOCK = 512  # dbm.dumb's _BLOCKSIZE: every value starts at a multiple of it


def _shelf_offsets(path: Path) -> list[tuple[int, int]] | None:
    """Where a dbm.dumb `.dat` holds its values: the `(pos, size)` pairs its `.dir` lists (read as literals,
    never evaluated), or without a `.dir` every block start that opens a pickle (protocol 2 or later).
    None when the file is no shelf."""
    import ast

    index = path.with_suffix(".dir")
    try:
        size = path.stat().st_size
        if index.is_file() and index.stat().st_size <= MAX_CONFIG_BYTES:
            found = []
            for line in index.read_text("latin-1").splitlines()[:MAX_SHELF_VALUES]:
                try:
                    _key, (pos, length) = ast.literal_eval(line)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    continue
                if isinstance(pos, int) and isinstance(length, int) and 0 <= pos < size and length > 0:
                    found.append((pos, length))
            return found
        if size > MAX_MEMBER_BYTES:
            return None
        with path.open("rb") as handle:
            blocks = []
            for pos in range(0, size, SHELF_BLOCK):
                handle.seek(pos)
                head = handle.read(2)
                if len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
                    blocks.append((pos, size - pos))
                if len(blocks) >= MAX_SHELF_VALUES:
                    break
            return blocks or None
    except OSError:
        return None


def _shelf(path: Path, ctx: _Ctx) -> None:
    """shelve.open (dbm.dumb) unpickles the value at each offset when its key is read."""
    ctx.inspection.saw("shelve")
    with path.open("rb") as handle:
        for pos, length in _shelf_offsets(path) or []:
            handle.seek(pos)
            data = handle.read(min(length, MAX_MEMBER_BYTES))
            walk = walk_pickle(io.BytesIO(data), where=f"{path.name}@{pos}", trusted=ctx.trusted, joblib=False)
            ctx.record(walk.problems, walk)


SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_SQLITE_ROWS = 100_000


def _sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def _sqlite_blobs(path: Path, ctx: _Ctx) -> None:
    """sqlitedict (and other pickle-backed stores) unpickle each BLOB value they read: every BLOB that opens
    like a pickle is walked. The database is opened read-only and immutable (no journal is replayed)."""
    import sqlite3

    ctx.inspection.saw("sqlite")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        ctx.fail(f"{path.name}: unreadable SQLite ({exc.__class__.__name__})")
        return
    rows = 0
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' LIMIT 1000")]
        for table in tables:
            quoted = '"' + str(table).replace('"', '""') + '"'
            columns = [row[1] for row in connection.execute(f"PRAGMA table_info({quoted})")]
            for column in columns[:200]:
                name = '"' + str(column).replace('"', '""') + '"'
                for (value,) in connection.execute(
                        # identifiers quoted as SQLite quotes them; the database is opened read-only
                        f"SELECT {name} FROM {quoted} WHERE typeof({name}) = 'blob' LIMIT ?",  # noqa: S608
                        (MAX_SQLITE_ROWS - rows,)):
                    rows += 1
                    data = bytes(value)
                    if not may_start_pickle(data[:8]):
                        continue
                    where = f"{path.name}:{str(table)[:60]}.{str(column)[:60]}#{rows}"
                    walk = walk_pickle(io.BytesIO(data), where=where, trusted=ctx.trusted, joblib=False)
                    ctx.record(walk.problems, walk)
                if rows >= MAX_SQLITE_ROWS:
                    ctx.fail(f"{path.name}: more than {MAX_SQLITE_ROWS} BLOB values, the rest not scanned")
                    return
    except sqlite3.Error as exc:
        ctx.fail(f"{path.name}: unreadable SQLite ({exc.__class__.__name__})")
    finally:
        connection.close()


def _mentions(path: Path, needles: tuple[bytes, ...]) -> bool:
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            return True  # too large to review: scanned (and reported) rather than skipped
        data = path.read_bytes()
    except OSError:
        return False
    return any(needle in data for needle in needles)


def _needs_review(path: Path) -> bool:
    """A Hugging Face config that runs something: an `auto_map`/`custom_pipelines` that makes
    `trust_remote_code` import code from the folder, or a chat template the runtime renders."""
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            return False
        document = model_keras.parse_json(path.read_bytes())
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return False
    # an unzipped `.keras` (config.json beside model.weights.h5): keras.saving.load_model(folder) builds it
    keras = isinstance(document, dict) and "class_name" in document and "config" in document
    return keras or model_hf.has_auto_map(document) or bool(model_templates.document_templates(document))


def _loader_code(source: bytes, where: str, ctx: _Ctx, code: model_loader_code.LoaderCode) -> None:
    """Python source a loader runs (on disk or an archive member): HIGH always, CRITICAL when it reaches the
    shell, the network, eval or exec."""
    ctx.inspection.saw("loader-code")
    dangerous = model_hf.source_bytes_problems(source)
    ctx.record([Problem(
        key=code.key, rule="model-file/loader-runs-code",
        severity=Severity.CRITICAL if dangerous else Severity.HIGH,
        title=code.why + (f": {'; '.join(dangerous[:4])}" if dangerous else ""), detail=where,
    )])


def inspect_file(path: Path, trusted: frozenset[tuple[str, str]] = frozenset()) -> Inspection:
    """Our verdict on one file. Never raises on bad content: a read failure is a problem."""
    inspection = Inspection(FileVerdict(SCANNER, CLEAN))
    ctx = _Ctx(inspection, trusted, path.parent, path.name)
    code = model_loader_code.disk_loader_code(path)
    if code is not None:
        try:
            with path.open("rb") as handle:
                source = handle.read(model_hf.MAX_SOURCE_BYTES + 1)  # past the limit: "larger than the review limit"
        except OSError as exc:
            ctx.fail(f"{path.name}: {exc.__class__.__name__}")
            return inspection
        _loader_code(source, path.name, ctx, code)
        return inspection
    if path.suffix.lower() == ".dat" and _shelf_offsets(path) is not None:
        _shelf(path, ctx)
        return inspection
    if _sqlite(path):
        _sqlite_blobs(path, ctx)
        return inspection
    try:
        with path.open("rb") as handle:
            read = _inspect(handle, path.name, ctx, depth=0, name=path.name)
    except (OSError, RecursionError, MemoryError) as exc:
        ctx.fail(f"{path.name}: {exc.__class__.__name__}")
        return inspection
    if not read and inspection.verdict.verdict == CLEAN and not inspection.verdict.problems:
        inspection.verdict.verdict = UNSUPPORTED
        inspection.verdict.note = "not a recognised model format"
    return inspection


# ---------------------------------------------------------------------- one blob, every reading


def _inspect(handle: BinaryIO, where: str, ctx: _Ctx, depth: int, name: str) -> bool:
    """Follow every reader that accepts this content; True when at least one read it completely."""
    if depth > MAX_NESTING:
        ctx.fail(f"{where}: containers nested deeper than {MAX_NESTING} levels")
        return True
    size = _size(handle)
    head = handle.read(HEAD)
    handle.seek(0)
    if not head:
        return False
    read = False
    suffix = suffixes(name)

    def attempt(reader: Any, *args: Any, **kwargs: Any) -> bool:
        try:
            return bool(reader(*args, **kwargs))
        except (RecursionError, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - a reader that breaks on crafted bytes: a finding, not a crash
            ctx.fail(f"{where}: unreadable ({reader.__name__.strip('_')}: {exc.__class__.__name__})")
            return True

    if _is_zip(handle):
        read = attempt(_zip, handle, where, ctx, depth) or read
    offset = model_keras.hdf5_offset(handle, size)
    if offset is not None:
        read = attempt(_hdf5, handle, where, ctx) or read
    if head.startswith(model_numpy.NPY_MAGIC):
        read = attempt(_npy, handle, where, ctx, size) or read
    compression = compression_of(head)
    if compression:
        read = attempt(_compressed, handle, compression, where, ctx, depth, name) or read
    if _is_tar(head, size):
        read = attempt(_tar, handle, where, ctx, depth) or read
    if head.startswith(model_gguf.GGUF_MAGIC):
        read = attempt(_gguf, handle, where, ctx) or read
    if _is_arrow(head, suffix):
        read = attempt(_arrow, handle, where, ctx, head) or read
    if _is_safetensors(head, size):
        read = attempt(_safetensors, handle, where, ctx, size) or read
    if suffix == ".onnx" or (head[:1] == b"\x08" and suffix in (".pb", ".bin", "")):
        read = attempt(_onnx, handle, where, ctx, claimed=suffix == ".onnx") or read
    if not read and suffix in (".model", ".pb") and size <= MAX_MEMBER_BYTES:
        read = attempt(_protobuf, handle, where, ctx, suffix) or read
    if suffix == ".jinja":
        read = attempt(_jinja, handle, where, ctx, size) or read
    elif model_keras.looks_like_json(head):
        read = attempt(_json, handle, where, ctx, size) or read
    if may_start_pickle(head) and not (read and head[:1] in _PERSISTENT_ID):
        claimed = (head[:1] == b"\x80") or (suffix in PICKLE_EXTENSIONS and not read)
        read = attempt(_pickle, handle, where, ctx, size, claimed=claimed, fallback=not read, depth=depth) or read
    elif not read and suffix in RAW_DATA_EXTENSIONS:
        ctx.inspection.saw("raw-data")  # no pickle loader reads past its first byte
        read = True
    base = Path(name).name.lower()
    if suffix in (".yaml", ".yml") or base == "mlmodel":
        # after the pickle reading: a YAML-looking text may also be a protocol-0 pickle, judged as one above
        read = attempt(_yaml, handle, where, ctx, size, base) or read
    handle.seek(0)
    return read


# ---------------------------------------------------------------------- pickles


def _pickle(handle: BinaryIO, where: str, ctx: _Ctx, size: int, *, claimed: bool, fallback: bool,
            depth: int = 0) -> bool:
    handle.seek(0)
    walk = walk_pickle(handle, where=where, trusted=ctx.trusted, joblib=True, embedded=True)
    ctx.record(walk.problems, walk)
    _embedded_torch(handle, walk, where, ctx, depth)
    if walk.pickles == 0:
        inert = not walk.globals and not walk.problems
        if inert and suffixes(where) in RAW_DATA_EXTENSIONS and fallback:
            # raw bytes (external tensor data): every pickle loader stops on them before importing anything
            ctx.inspection.saw("raw-data")
            return True
        if claimed or walk.problems or (walk.opcodes > 2 and (fallback or walk.globals)):
            ctx.fail(f"{where}: pickle stops after {walk.opcodes} opcodes ({walk.error})")
            return True
        return False
    ctx.inspection.saw("joblib" if walk.joblib_arrays else "pickle")
    end = handle.tell()
    if isinstance(walk.value, int) and not isinstance(walk.value, bool) and walk.value == model_torch.LEGACY_MAGIC:
        # legacy torch.save: torch.load reads four more pickles, in any protocol
        ctx.inspection.saw("torch-legacy")
        following = PickleWalk()
        done = walk_following(handle, following, where=f"{where} (torch legacy)", trusted=ctx.trusted,
                              count=model_torch.LEGACY_PICKLES - 1)
        ctx.record(following.problems, following)
        if done < model_torch.LEGACY_PICKLES - 1:
            ctx.fail(f"{where}: legacy torch file with {done + 1} of {model_torch.LEGACY_PICKLES} pickles "
                     f"({following.error})")
    else:
        _lenient_following(handle, where, ctx)
    if walk.joblib_arrays:
        # pickle.load (not joblib.load) reads the array bytes as opcodes: what it would import counts too
        handle.seek(0)
        plain = walk_pickle(handle, where=f"{where} (as plain pickle)", trusted=ctx.trusted, joblib=False)
        ctx.record(_plausible(plain.problems))
    if end <= FICKLING_MAX_BYTES:
        handle.seek(0)
        ctx.inspection.pickles.append(PickleStream(where, handle.read(min(size, FICKLING_MAX_BYTES))))
    return True


def _embedded_torch(handle: BinaryIO, walk: PickleWalk, where: str, ctx: _Ctx, depth: int) -> None:
    """`pickle.dumps(tensor)` embeds a whole `torch.save` file as bytes (`torch.storage._load_from_bytes`):
    `torch.load` reads those bytes as it reads a file, so they are inspected as one."""
    for index, blob in enumerate(walk.embedded[:64]):
        inner_where = f"{where} (embedded torch file {index + 1})"
        if isinstance(blob, tuple):
            offset, length, latin1 = blob
            if length > MAX_MEMBER_BYTES:
                ctx.fail(f"{inner_where}: larger than {MAX_MEMBER_BYTES} bytes, not read")
                continue
            handle.seek(offset)
            blob = handle.read(length)
            if latin1:
                try:
                    blob = blob.decode("utf-8", "surrogatepass").encode("latin-1")
                except UnicodeError:
                    ctx.fail(f"{inner_where}: protocol 2 bytes that do not decode as the unpickler decodes them")
                    continue
        before = len(ctx.inspection.verdict.problems)
        read = _inspect(io.BytesIO(blob), inner_where, ctx, depth + 1, "embedded.pt")
        if not read and len(ctx.inspection.verdict.problems) == before:
            ctx.fail(f"{inner_where}: not readable as the torch file torch.load would read")
    if len(walk.embedded) > 64:
        ctx.fail(f"{where}: more than 64 embedded torch files")


def _lenient_following(handle: BinaryIO, where: str, ctx: _Ctx) -> None:
    """More pickles after the first (several pickle.load calls on one file): their imports count."""
    for index in range(16):
        here = handle.tell()
        head = handle.read(2)
        handle.seek(here)
        if not may_start_pickle(head):
            return
        walk = PickleWalk()
        done = walk_following(handle, walk, where=f"{where} (pickle {index + 2})", trusted=ctx.trusted, count=1)
        ctx.record(_plausible(walk.problems))
        if not done:
            return


def _plausible(problems: list[Problem]) -> list[Problem]:
    """Imports an unpickler could perform (real module names), from a reading that may be of raw data."""
    kept = []
    for problem in problems:
        family, _, ref = problem.key.partition(":")
        if family in ("unsafe-global", "unknown-global") and _IDENTIFIER.match(ref):
            kept.append(problem)
    return kept


# ---------------------------------------------------------------------- numpy


def _npy(handle: BinaryIO, where: str, ctx: _Ctx, size: int) -> bool:
    handle.seek(0)
    try:
        header = model_numpy.read_header(handle)
        dtype = model_numpy.header_dtype(header)
    except model_numpy.NpyError as exc:
        ctx.fail(f"{where}: {exc}")
        return True
    ctx.inspection.saw("npy")
    if dtype.hasobject:
        # np.load(allow_pickle=True) unpickles what follows the header
        ctx.inspection.saw("npy+pickle")
        start = handle.tell()
        data = io.BytesIO(handle.read(min(size - start, MAX_MEMBER_BYTES)))
        walk = walk_pickle(data, where=f"{where} (object array)", trusted=ctx.trusted, joblib=False)
        ctx.record(walk.problems, walk)
        if walk.error:
            ctx.fail(f"{where} (object array): pickle stops after {walk.opcodes} opcodes ({walk.error})")
        if data.getbuffer().nbytes <= FICKLING_MAX_BYTES:
            ctx.inspection.pickles.append(PickleStream(f"{where} (object array)", data.getvalue()))
        return True
    try:
        needed = model_numpy.data_size(header, dtype)
    except model_numpy.NpyError as exc:
        ctx.fail(f"{where}: {exc}")
        return True
    if size - handle.tell() < needed:
        ctx.fail(f"{where}: array data is truncated")
    return True


# ---------------------------------------------------------------------- zip and tar


def _is_zip(handle: BinaryIO) -> bool:
    try:
        return zipfile.is_zipfile(handle)
    except (OSError, ValueError, zipfile.BadZipFile):
        return True  # an end record Python's zipfile refuses: reading it as a zip reports why
    finally:
        handle.seek(0)


def _zip(handle: BinaryIO, where: str, ctx: _Ctx, depth: int) -> bool:
    try:
        archive = zipfile.ZipFile(handle)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        ctx.fail(f"{where}: unreadable zip ({exc.__class__.__name__})")
        return True
    if len(infos) > MAX_ZIP_MEMBERS:
        ctx.fail(f"{where}: zip has more than {MAX_ZIP_MEMBERS} members")
        return True
    names = [info.filename for info in infos]
    torchscript = model_torch.is_torchscript(names)
    torch_archive = any(n == "data.pkl" or n.endswith("/data.pkl") for n in names)
    ctx.inspection.saw("torchscript" if torchscript else "zip")
    trusted = ctx.trusted
    if torchscript:
        # TorchScript's unpickler resolves these from the archive's own code (inspected below)
        trusted = trusted | {(prefix.rstrip("."), "*") for prefix in model_torch.TORCHSCRIPT_GLOBAL_PREFIXES}
    member_ctx = _Ctx(ctx.inspection, trusted)
    files = {info.filename: info for info in infos
             if not info.is_dir() and not stat.S_ISLNK(info.external_attr >> 16)}

    def read_member(name: str) -> bytes | None:
        return _zip_read(archive, files[name], model_hf.MAX_SOURCE_BYTES + 1)

    with archive:
        loader_code = _archive_loader_code(list(files), read_member, where, ctx)
        for info in infos:
            _judge_member(info.orig_filename, where, ctx)
            if info.is_dir():
                continue
            member_where = f"{where}:{info.filename}"
            if info.filename in loader_code and not stat.S_ISLNK(info.external_attr >> 16):
                # every copy of a duplicated name: extractors differ in which one stays on disk
                _member_loader_code(functools.partial(_zip_read, archive, info, model_hf.MAX_SOURCE_BYTES + 1),
                                    member_where, ctx, loader_code[info.filename])
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                # unzip and most extractors recreate a Unix symlink whose target is the member's content
                if info.file_size <= 4096:
                    _judge_link(info.filename, archive.read(info).decode("utf-8", "replace"), where, ctx, hard=False)
                else:
                    ctx.record([_member_problem(info.filename, where, "oversized symbolic link member", Severity.HIGH)])
                continue
            try:
                _zip_member(archive, info, member_where, member_ctx, depth, torchscript, torch_archive)
            except Exception as exc:  # noqa: BLE001 - zlib/lzma/bz2 errors of a corrupt member, among others
                ctx.fail(f"{member_where}: unreadable member ({exc.__class__.__name__}: {str(exc)[:120]})")
    return True


def _archive_loader_code(names: list[str], read: Any, where: str,
                         ctx: _Ctx) -> dict[str, model_loader_code.LoaderCode]:
    """The members a loader imports as Python once the archive is extracted (hubconf.py, custom_generate/,
    modules a config of the archive names); a member that cannot be read for this is a finding."""
    def guarded(name: str) -> bytes | None:
        try:
            data = read(name)
        except Exception as exc:  # noqa: BLE001 - a corrupt member: reported, the others still judged
            ctx.fail(f"{where}:{name}: unreadable member ({exc.__class__.__name__})")
            return None
        return data if isinstance(data, bytes) else None

    return model_loader_code.archive_loader_code(names, guarded)


def _zip_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    with archive.open(info) as member:
        return member.read(limit)


def _tar_read(archive: tarfile.TarFile, member: tarfile.TarInfo, limit: int) -> bytes | None:
    extracted = archive.extractfile(member)
    return extracted.read(limit) if extracted is not None else None


def _member_loader_code(read: Any, where: str, ctx: _Ctx, code: model_loader_code.LoaderCode) -> None:
    """A member the loader imports as Python: judged from its own bytes, as files on disk are."""
    try:
        source = read()
    except Exception as exc:  # noqa: BLE001 - a corrupt member: reported, the others still judged
        ctx.fail(f"{where}: unreadable member ({exc.__class__.__name__})")
        return
    _loader_code(source or b"", where, ctx, code)


def _zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, ctx: _Ctx, depth: int,
                torchscript: bool, torch_archive: bool) -> None:
    name = info.filename
    if torchscript and name.endswith(".py") and "/code/" in f"/{name}":
        if info.file_size > MAX_MEMBER_BYTES:
            ctx.fail(f"{where}: code file larger than {MAX_MEMBER_BYTES} bytes")
            return
        ctx.record(model_torch.torchscript_code_problems(archive.read(info), where))
        return
    with archive.open(info) as member:
        head = member.read(HEAD)
    if torch_archive and _TORCH_DATA_MEMBER.search(name) and not compression_of(head) and not head.startswith(
        b"\x80"
    ):
        return  # raw tensor bytes of a torch archive: torch never unpickles them
    if not _worth_reading(head, name, info.file_size):
        return
    if info.file_size > MAX_MEMBER_BYTES:
        ctx.fail(f"{where}: member larger than {MAX_MEMBER_BYTES} bytes, not read")
        return
    with archive.open(info) as member:
        data = member.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        ctx.fail(f"{where}: member inflates beyond its declared size")
        return
    stream = io.BytesIO(data)
    before = len(ctx.inspection.verdict.problems)
    read = _inspect(stream, where, ctx, depth + 1, name)
    if not read and len(ctx.inspection.verdict.problems) == before and suffixes(name) in PICKLE_EXTENSIONS:
        ctx.fail(f"{where}: not readable as the pickle its name announces")


def _worth_reading(head: bytes, name: str, size: int) -> bool:
    """Members any loader could execute or open further; plain data (weights, text) is not read."""
    return bool(
        suffixes(name) in MODEL_EXTENSIONS
        or suffixes(name) in (".json", ".yaml", ".yml")
        or may_start_pickle(head)
        or compression_of(head)
        or head.startswith((model_numpy.NPY_MAGIC, b"PK", model_keras.HDF5_MAGIC, model_gguf.GGUF_MAGIC))
        or model_keras.looks_like_json(head)
        or _is_tar(head, size)
    )


def _is_tar(head: bytes, size: int) -> bool:
    """A first tar header with a right checksum (what tarfile itself checks), given its 512 bytes."""
    return size >= 512 and len(head) >= 512 and _header_checksum_ok(head[:512])


def _header_checksum_ok(block: bytes) -> bool:
    if block == b"\x00" * 512:
        return False
    try:
        stored = int(block[148:156].replace(b"\x00", b" ").strip() or b"-1", 8)
    except ValueError:
        return False
    return stored == sum(block[:148]) + 256 + sum(block[156:])


def _tar_headers(handle: BinaryIO, size: int) -> bool:
    """A tar whose headers are sane: checksums right, long-name and PAX records bounded before tarfile reads
    them (a header may declare gigabytes of name)."""
    handle.seek(0)
    offset = 0
    seen = 0
    while offset + 512 <= size and seen < MAX_ZIP_MEMBERS:
        handle.seek(offset)
        block = handle.read(512)
        if block == b"\x00" * 512:
            break
        if not _header_checksum_ok(block):
            return False
        typeflag = block[156:157]
        raw_size = block[124:136]
        if raw_size[:1] in (b"\x80", b"\xff"):
            member_size = int.from_bytes(raw_size[1:], "big")
        else:
            try:
                member_size = int(raw_size.replace(b"\x00", b" ").strip() or b"0", 8)
            except ValueError:
                return False
        if typeflag in (b"x", b"g", b"L", b"K") and member_size > (1 << 20):
            raise ValueError("tar long-name or PAX header larger than 1 MiB")
        offset += 512 + (member_size + 511) // 512 * 512
        seen += 1
    handle.seek(0)
    return seen > 0


def _tar(handle: BinaryIO, where: str, ctx: _Ctx, depth: int) -> bool:
    size = _size(handle)
    try:
        if not _tar_headers(handle, size):
            return False
    except ValueError as exc:
        ctx.fail(f"{where}: {exc}")
        return True
    ctx.inspection.saw("tar")
    handle.seek(0)
    try:
        with tarfile.open(fileobj=handle, mode="r:") as archive:
            # torch's oldest format: a tar of `storages`, `tensors`, `pickle`, read by torch.load
            torch_tar = {"storages", "tensors", "pickle"} <= set(archive.getnames())
            links: dict[str, str] = {}
            files = {member.name: member for member in archive.getmembers() if member.isfile()}

            def read_member(name: str) -> bytes | None:
                return _tar_read(archive, files[name], model_hf.MAX_SOURCE_BYTES + 1)

            loader_code = _archive_loader_code(list(files), read_member, where, ctx)
            for member in archive.getmembers():
                _judge_member(member.name, where, ctx)
                if member.issym() or member.islnk():
                    links[member.name] = member.linkname
                    _judge_link(member.name, member.linkname, where, ctx, hard=member.islnk())
                elif member.ischr() or member.isblk() or member.isfifo():
                    ctx.record([_member_problem(member.name, where, "device or FIFO member", Severity.HIGH)])
                if not member.isfile():
                    continue
                member_where = f"{where}:{member.name}"
                if member.name in loader_code:
                    _member_loader_code(functools.partial(_tar_read, archive, member, model_hf.MAX_SOURCE_BYTES + 1),
                                        member_where, ctx, loader_code[member.name])
                    continue
                if member.size > MAX_MEMBER_BYTES:
                    ctx.fail(f"{member_where}: member larger than {MAX_MEMBER_BYTES} bytes, not read")
                    continue
                extracted = archive.extractfile(member)
                if extracted is None:
                    continue
                data = extracted.read(MAX_MEMBER_BYTES)
                if torch_tar and member.name in model_torch.LEGACY_TAR_MEMBERS:
                    walk = model_torch.walk_legacy_tar_member(member.name, data, member_where, ctx.trusted)
                    ctx.record(walk.problems, walk)
                    if walk.error:
                        ctx.fail(f"{member_where}: legacy torch member stops early ({walk.error[:160]})")
                    continue
                stream = io.BytesIO(data)
                before = len(ctx.inspection.verdict.problems)
                read = _inspect(stream, member_where, ctx, depth + 1, member.name)
                claimed = suffixes(member.name) in PICKLE_EXTENSIONS or member.name in ("pickle", "storages", "tensors")
                if not read and len(ctx.inspection.verdict.problems) == before and claimed:
                    ctx.fail(f"{member_where}: not readable as the pickle its name announces")
            for name in through_links(links):
                ctx.record([_member_problem(name, where, f"link {name[:80]!r} resolves through another link of "
                                            "the archive", Severity.HIGH)])
    except (tarfile.TarError, OSError, ValueError, EOFError) as exc:
        ctx.fail(f"{where}: unreadable tar ({exc.__class__.__name__})")
    return True


def _judge_member(name: str, where: str, ctx: _Ctx) -> None:
    """A member whose extraction writes outside the folder: judged by name, nothing is extracted."""
    why = member_escape(name)
    if why:
        ctx.record([_member_problem(name, where, why, Severity.HIGH)])


def _judge_link(name: str, target: str, where: str, ctx: _Ctx, *, hard: bool) -> None:
    escape = link_escape(name, target, hard=hard)
    if escape:
        why, absolute = escape
        # an absolute target is a file of the machine that loads the model (`/etc/passwd`)
        ctx.record([_member_problem(name, where, why, Severity.CRITICAL if absolute else Severity.HIGH)])


def _member_problem(name: str, where: str, why: str, severity: Severity) -> Problem:
    return Problem(
        key=f"archive-member:{name[:200]}", rule="model-file/archive-member", severity=severity,
        title="Model archive member leaves the extraction folder (path traversal or a link out of the archive)",
        detail=f"{where}: {why}",
    )


# ---------------------------------------------------------------------- compressed streams

_COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".z", ".zst", ".zstd", ".lz4", ".lzma")


def _compressed(handle: BinaryIO, kind: str, where: str, ctx: _Ctx, depth: int, name: str) -> bool:
    # inflated into a spooled file: a stream of gigabytes of padding (a few MB compressed) stays off the heap,
    # and the pickle walk seeks past long byte strings as the unpickler's reader would read them
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as inflated:
        return _compressed_into(handle, kind, where, ctx, depth, name, inflated)


def _compressed_into(handle: BinaryIO, kind: str, where: str, ctx: _Ctx, depth: int, name: str,
                     inflated: BinaryIO) -> bool:
    handle.seek(0)
    try:
        decompress_into(handle, kind, inflated, MAX_INFLATED_STREAM)
    except DecompressorMissing as exc:
        # never silently out of the count: what is inside may be anything a loader opens
        ctx.inspection.saw(kind)
        ctx.record([Problem(
            key=f"not-scanned:{kind}", rule="model-file/not-scanned", severity=Severity.HIGH,
            title=f"Model file not scanned: {kind}-compressed content cannot be decompressed here",
            detail=f"{where}: {exc}",
        )])
        return True
    except DecompressError as exc:
        if kind in ("lz4", "zstd") or suffixes(name) in MODEL_EXTENSIONS:
            ctx.fail(f"{where}: {exc}")
            return True
        return False  # bytes that merely start like a compressed stream
    ctx.inspection.saw(kind)
    inner_name = name[: -len(Path(name).suffix)] if Path(name).suffix.lower() in _COMPRESSION_SUFFIXES else name
    inner_where = f"{where} ({kind})"
    before = len(ctx.inspection.verdict.problems)
    inflated.seek(0)
    read = _inspect(inflated, inner_where, ctx, depth + 1, inner_name)
    if not read and len(ctx.inspection.verdict.problems) == before and suffixes(inner_name) in MODEL_EXTENSIONS:
        ctx.fail(f"{inner_where}: compressed content of unknown format")
    # otherwise plain compressed data (a .csv.gz): no loader finds anything to run in it
    return True


# ---------------------------------------------------------------------- HDF5 / Keras / JSON


def _hdf5(handle: BinaryIO, where: str, ctx: _Ctx) -> bool:
    handle.seek(0)
    pickles: list[tuple[str, bytes]] = []
    attributes: list[tuple[str, bytes]] = []
    try:
        configs, storage = model_keras.hdf5_contents(handle, where, pickles, attributes)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        ctx.fail(f"{where}: unreadable HDF5 ({exc.__class__.__name__}: {str(exc)[:120]})")
        return True
    ctx.inspection.saw("keras-h5" if configs else "hdf5")
    ctx.record(storage)
    for path, data in pickles:
        # PyTables unpickles each row of an object VLArray when it is read (pandas.read_hdf)
        row_where = f"{where}:{path} (pickled row)"
        walk = walk_pickle(io.BytesIO(data), where=row_where, trusted=ctx.trusted, joblib=False)
        ctx.record(walk.problems, walk)
        if walk.error or walk.pickles == 0:
            ctx.fail(f"{row_where}: pickle stops after {walk.opcodes} opcodes ({walk.error})")
        if len(data) <= FICKLING_MAX_BYTES:
            ctx.inspection.pickles.append(PickleStream(row_where, data))
    for path, data in attributes:
        # PyTables unpickles such an attribute value when the node's attributes are read; a value that does not
        # unpickle stays a string, so only what the walk finds is judged
        walk = walk_pickle(io.BytesIO(data), where=f"{where}:{path} (pickled attribute)", trusted=ctx.trusted,
                           joblib=False)
        ctx.record(walk.problems, walk)
    for attribute, config in configs:
        ctx.record(model_keras.config_problems(config, f"{where}:{attribute}", ctx.trusted))
    return True


def _json(handle: BinaryIO, where: str, ctx: _Ctx, size: int) -> bool:
    if size > MAX_MEMBER_BYTES:
        return False
    handle.seek(0)
    try:
        document = model_keras.parse_json(handle.read())
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    ctx.inspection.saw("json")
    ctx.record(model_keras.config_problems(document, where, ctx.trusted))
    ctx.record(_skops_problems(document, where, ctx.trusted))
    # only the file itself sits beside the modules auto_map names, never an archive member
    ctx.record(model_hf.remote_code_problems(document, where, ctx.folder if where == ctx.top else None))
    ctx.record(model_templates.document_problems(document, where))
    base = Path(where.rsplit(":", 1)[-1]).name.lower()
    ctx.record(model_loaders.document_problems(document, where, base, ctx.trusted,
                                               ctx.folder if where == ctx.top else None))
    return True


def _yaml(handle: BinaryIO, where: str, ctx: _Ctx, size: int, base: str) -> bool:
    """Hydra/NeMo configs (`_target_`) and MLflow `MLmodel`: YAML composed without expanding aliases."""
    import yaml

    if size > MAX_CONFIG_BYTES:
        ctx.fail(f"{where}: YAML config larger than the review limit")
        return True
    handle.seek(0)
    try:
        text = handle.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        if base == "mlmodel":
            ctx.fail(f"{where}: unreadable MLmodel ({exc.__class__.__name__})")
            return True
        return False
    tagged = model_loaders.python_tag_problems(text, where)
    ctx.record(tagged)
    try:
        document = model_loaders.yaml_document(text)
    except (yaml.YAMLError, RecursionError) as exc:
        if tagged:
            ctx.inspection.saw("yaml")
            return True
        if base == "mlmodel":
            ctx.fail(f"{where}: unreadable MLmodel ({exc.__class__.__name__})")
            return True
        return False
    except ValueError as exc:
        ctx.fail(f"{where}: {exc}")
        return True
    ctx.inspection.saw("yaml")
    ctx.record(model_loaders.document_problems(document, where, base, ctx.trusted))
    return True


# ---------------------------------------------------------------------- Arrow / Parquet schemas

_ARROW_STREAM_SUFFIXES = frozenset((".arrows", ".arrow", ".ipc", ".feather", ".stream"))
_PY_EXTENSION = b"arrow.py_extension_type"
MAX_ARROW_FIELDS = 100_000


def _is_arrow(head: bytes, suffix: str) -> bool:
    """Parquet, Arrow IPC file (Feather v2) or an IPC stream (continuation marker, named as one)."""
    return head.startswith((b"PAR1", b"ARROW1")) or (
        head.startswith(b"\xff\xff\xff\xff") and suffix in _ARROW_STREAM_SUFFIXES)


def _arrow(handle: BinaryIO, where: str, ctx: _Ctx, head: bytes) -> bool:
    """The schema only (no record batch is read): a field typed `arrow.py_extension_type` carries a pickle
    that pyarrow before 14.0.1 unpickles when the file is read (CVE-2023-47248)."""
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    handle.seek(0)
    if head.startswith(b"PAR1"):
        schema = pq.read_schema(handle)
        ctx.inspection.saw("parquet")
    elif head.startswith(b"ARROW1"):
        schema = ipc.open_file(handle).schema
        ctx.inspection.saw("arrow-ipc")
    else:
        schema = ipc.open_stream(handle).schema
        ctx.inspection.saw("arrow-ipc")
    pending = list(schema)
    seen = 0
    while pending and seen < MAX_ARROW_FIELDS:
        field = pending.pop()
        seen += 1
        metadata = field.metadata or {}
        if metadata.get(b"ARROW:extension:name") == _PY_EXTENSION:
            field_where = f"{where}:{str(field.name)[:80]} (extension metadata)"
            ctx.record([Problem(
                key=f"arrow-py-extension:{str(field.name)[:80]}", rule="model-file/arrow-pickled-extension",
                severity=Severity.HIGH,
                title=f"Arrow field {str(field.name)[:80]!r} has the type arrow.py_extension_type: its metadata is "
                      "a pickle that pyarrow < 14.0.1 unpickles on read (CVE-2023-47248)",
                detail=field_where,
            )])
            data = metadata.get(b"ARROW:extension:metadata", b"")
            walk = walk_pickle(io.BytesIO(data), where=field_where, trusted=ctx.trusted, joblib=False)
            ctx.record(walk.problems, walk)
        kind = field.type
        if hasattr(kind, "field") and not hasattr(kind, "value_field"):  # struct and union children
            pending.extend(kind.field(i) for i in range(getattr(kind, "num_fields", 0) or 0))
        for attribute in ("value_field", "key_field", "item_field"):
            child = getattr(kind, attribute, None)
            if child is not None:
                pending.append(child)
    return True


def _jinja(handle: BinaryIO, where: str, ctx: _Ctx, size: int) -> bool:
    """A chat template file: rendered by the runtime on every request, judged by its structure."""
    if size > model_templates.MAX_TEMPLATE_CHARS * 4:
        ctx.fail(f"{where}: chat template larger than the review limit")
        return True
    handle.seek(0)
    text = handle.read().decode("utf-8", "replace")
    ctx.inspection.saw("chat-template")
    ctx.record(model_templates.template_problems(text, where, Path(where.rsplit(":", 1)[-1]).name))
    return True


def _skops_problems(document: Any, where: str, trusted: frozenset[tuple[str, str]]) -> list[Problem]:
    """skops schema nodes name the types `skops.io.load` would need trusted: the same list as pickles."""
    problems: dict[str, Problem] = {}
    for node in model_keras._walk(document):
        module, cls = node.get("__module__"), node.get("__class__")
        if not isinstance(module, str) or not isinstance(cls, str) or "__loader__" not in node:
            continue
        content = node.get("content")
        if node.get("__loader__") == "FunctionNode" and isinstance(content, dict):
            module, cls = str(content.get("module_path", module)), str(content.get("function", cls))
        elif node.get("__loader__") == "TypeNode" and isinstance(content, dict):
            module, cls = str(content.get("__module__", module)), str(content.get("__class__", cls))
        ref = f"{module}.{cls}"
        if ref in TRUSTED_GLOBALS or (module, cls) in trusted or ref in _SKOPS_BUILTIN_TYPES:
            continue
        problems.setdefault(ref, Problem(
            key=f"unknown-global:{ref}", rule="model-file/unknown-global", severity=Severity.HIGH,
            title=f"skops file needs {ref} trusted to load, which is not on the list of trusted globals",
            detail=where,
        ))
    return list(problems.values())


_SKOPS_BUILTIN_TYPES = frozenset(
    ("builtins.dict", "builtins.list", "builtins.tuple", "builtins.str", "builtins.int", "builtins.float",
     "builtins.bool", "builtins.NoneType", "builtins.type", "builtins.set", "builtins.slice", "builtins.bytes",
     "builtins.bytearray", "builtins.complex", "builtins.frozenset", "builtins.function")
)


# ---------------------------------------------------------------------- safetensors, GGUF, ONNX


def _is_safetensors(head: bytes, size: int) -> bool:
    if len(head) < 10:
        return False
    length = struct.unpack("<Q", head[:8])[0]
    return head[8:9] == b"{" and 8 + length <= size


def _safetensors(handle: BinaryIO, where: str, ctx: _Ctx, size: int) -> bool:
    handle.seek(0)
    length = struct.unpack("<Q", handle.read(8))[0]
    if length > (100 << 20):
        ctx.fail(f"{where}: safetensors header larger than 100 MB")
        return True
    try:
        header = model_keras.parse_json(handle.read(length))
    except (ValueError, UnicodeDecodeError, RecursionError):
        ctx.fail(f"{where}: bad safetensors header")
        return True
    ctx.inspection.saw("safetensors")
    problem = _safetensors_layout(header, size - 8 - length)
    if problem:
        ctx.fail(f"{where}: {problem}")
    return True


def _safetensors_layout(header: Any, data_size: int) -> str | None:
    if not isinstance(header, dict):
        return "safetensors header is not an object"
    for key, entry in header.items():
        if key == "__metadata__":
            if not isinstance(entry, dict) or not all(isinstance(v, str) for v in entry.values()):
                return "safetensors metadata is not a string map"
            continue
        if not isinstance(entry, dict):
            return f"tensor {key[:40]!r} is not described by an object"
        offsets = entry.get("data_offsets")
        if (not isinstance(offsets, list) or len(offsets) != 2
                or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)):
            return f"tensor {key[:40]!r} has malformed data_offsets"
        start, end = offsets
        if not 0 <= start <= end <= data_size:
            return "safetensors data is truncated or offsets are out of range"
    return None


def _protobuf(handle: BinaryIO, where: str, ctx: _Ctx, suffix: str) -> bool:
    """SentencePiece `.model` files and TensorFlow `.pb` graphs are protobuf: data, apart from graph ops."""
    handle.seek(0)
    data = handle.read()
    if not model_onnx.is_protobuf(data):
        return False
    ctx.inspection.saw("protobuf")
    if suffix == ".pb":
        ctx.record(model_onnx.tf_graph_problems(data, where))
    return True


def _gguf(handle: BinaryIO, where: str, ctx: _Ctx) -> bool:
    handle.seek(0)
    try:
        meta = model_gguf.metadata(handle)
    except model_gguf.GgufHostile as exc:
        ctx.inspection.saw("gguf")
        ctx.record([model_gguf.hostile_header(exc, where)])
        return True
    except (model_gguf.GgufError, struct.error, OSError) as exc:
        ctx.fail(f"{where}: unreadable GGUF metadata ({exc})")
        return True
    ctx.inspection.saw("gguf")
    ctx.record(model_gguf.problems(meta, where))
    return True


def _onnx(handle: BinaryIO, where: str, ctx: _Ctx, *, claimed: bool) -> bool:
    handle.seek(0)
    data = handle.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        ctx.fail(f"{where}: ONNX model larger than {MAX_MEMBER_BYTES} bytes")
        return True
    try:
        locations = model_onnx.external_locations(data)
    except (model_onnx.OnnxError, RecursionError, ValueError) as exc:
        if claimed:
            ctx.fail(f"{where}: unreadable ONNX model ({exc})")
            return True
        return False
    ctx.inspection.saw("onnx")
    ctx.record(model_onnx.location_problems(locations, where))
    return True


__all__ = ["Inspection", "PickleStream", "inspect_file", "looks_like_model", "MODEL_EXTENSIONS", "ERROR"]
