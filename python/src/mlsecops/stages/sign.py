"""Stage 9, sign: only after both gates passed, sign the model files and tokenizer (OpenSSF model signing).

The signed folder is `.mlsecops/sign/model/` (copies of train's outputs, checked against the
digests train recorded); the bundle is `.mlsecops/sign/model.sig` and the public key
`.mlsecops/sign/public-key.pem`. A generated local key stays in `sign/local-key/` and never
travels into a report or a release.
"""

from __future__ import annotations

import shutil

from ..errors import GateFailed
from ..workspace import StageResult
from .base import StageContext, run_stage

MODEL_FILES = ("model.keras", "model.h5", "tokenizer.json", "tokenizer.pickle", "labels.json")
REQUIRED_FILES = ("model.keras", "tokenizer.json")
REQUIRED_GATES = ("gate-security", "gate-model")
BUNDLE = "model.sig"
PUBLIC_KEY = "public-key.pem"
MODEL_DIR = "model"


def run(ctx: StageContext) -> StageResult:
    return run_stage("sign", _sign, ctx)


def require_passed_gates(
    ctx: StageContext, gates: tuple[str, ...] = REQUIRED_GATES, action: str = "sign"
) -> dict[str, str]:
    """Fail closed: a gate that did not run counts as failed. `action` names the refused step."""
    verdicts = {}
    for gate in gates:
        result = ctx.workspace.optional_result(gate)
        verdicts[gate] = result.status if result else "missing"
    failed = [f"{gate}: {status}" for gate, status in verdicts.items() if status != "passed"]
    if failed:
        raise GateFailed(f"refusing to {action}: gates not passed ({', '.join(failed)})")
    return verdicts


def _sign(ctx: StageContext, result: StageResult) -> None:
    from ..signing import signer_class

    result.details["gates"] = require_passed_gates(ctx)
    workspace = ctx.workspace
    train_dir = workspace.root / "train"
    missing = [name for name in REQUIRED_FILES if not (train_dir / name).is_file()]
    if missing:
        raise GateFailed(f"refusing to sign: train output missing in {train_dir} ({', '.join(missing)})")
    recorded = (
        {a.path: a.sha256 for a in workspace.read_result("train").artifacts} if workspace.has_result("train") else {}
    )

    stage_dir = workspace.stage_dir("sign")
    model_dir = stage_dir / MODEL_DIR
    shutil.rmtree(model_dir, ignore_errors=True)
    model_dir.mkdir()
    for name in MODEL_FILES:
        source = train_dir / name
        if not source.is_file():
            continue
        shutil.copyfile(source, model_dir / name)
        artifact = workspace.artifact(model_dir / name)
        expected = recorded.get(f"train/{name}")
        if expected and expected != artifact.sha256:
            # the file changed after train recorded it (a tampered stash): never sign that
            raise GateFailed(
                f"refusing to sign: train/{name} differs from train's result.json "
                f"(recorded {expected[:12]}, found {artifact.sha256[:12]})"
            )
        result.artifacts.append(artifact)

    config = ctx.config.sign
    if config.method == "key" and config.key and not config.key.lstrip().startswith("-----BEGIN"):
        config = config.model_copy(update={"key": str(ctx.config.resolve_path(config.key))})
    signer = signer_class(config.method)(config, stage_dir, ctx.echo)
    bundle = stage_dir / BUNDLE
    for stale in (bundle, stage_dir / PUBLIC_KEY):  # never let an older signature stand in
        stale.unlink(missing_ok=True)
    info = signer.sign(model_dir, bundle, stage_dir / PUBLIC_KEY)
    result.artifacts.append(workspace.artifact(bundle))
    if info.public_key is not None:  # keyless bundles carry a certificate instead
        result.artifacts.append(workspace.artifact(info.public_key))
    result.details.update(
        {
            "method": info.method,
            "key_id": info.key_id,
            "local_key": info.local_key,
            "identity": info.identity,
            "hash": config.hash,
            "bundle": f"sign/{BUNDLE}",
            "public_key": f"sign/{PUBLIC_KEY}" if info.public_key else "",
            "model_dir": f"sign/{MODEL_DIR}",
            "files": sorted(p.name for p in model_dir.iterdir()),
        }
    )
    if info.local_key:
        result.warnings.append("signed with a local, unmanaged key generated on this machine")
    ctx.echo(f"sign: {len(result.details['files'])} file(s) signed ({info.method}, key {info.key_id[:16]})")
