"""Stage 9, sign: only after both gates passed, sign every file of the model release (OpenSSF model signing).

The files are those of `signing/model_release.py` (`sign.paths`, else what train recorded). They
must be the very files the model gate judged (same digests) and, when train recorded them,
unchanged since. The signed folder is `.mlsecops/sign/model/` (copies); the bundle is
`.mlsecops/sign/model.sig` and the public key `.mlsecops/sign/public-key.pem`. A generated local
key stays in `sign/local-key/` and never travels into a report or a release.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import GateFailed
from ..workspace import StageResult
from .base import StageContext, run_stage

REQUIRED_GATES = ("gate-security", "gate-model")
BUNDLE = "model.sig"
PUBLIC_KEY = "public-key.pem"
MODEL_DIR = "model"
JUDGED_MODEL = "model"  # gate-model's details key: the model files it judged, name -> sha256


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


def require_judged_model(ctx: StageContext, signed: dict[str, str], action: str = "sign") -> None:
    """Fail closed on order: sign (and store) only the very files whose digests the passed model gate recorded."""
    record = ctx.workspace.read_result("gate-model").details.get(JUDGED_MODEL)
    record = record if isinstance(record, dict) else {}
    judged = record.get("files")
    if not isinstance(judged, dict) or not judged:
        why = record.get("problem")
        raise GateFailed(
            f"refusing to {action}: the model gate recorded no model digests"
            + (f" ({why})" if why else "")
            + ": run `mlsecops gate --stage model` again on this model"
        )
    if judged == signed:
        return
    differ = sorted(name for name in judged.keys() | signed.keys() if judged.get(name) != signed.get(name))
    raise GateFailed(
        f"refusing to {action}: the model gate judged other model files ({', '.join(differ[:5])}"
        f"{', ...' if len(differ) > 5 else ''}): run evaluate, modeltest and the model gate on this model again"
    )


def _sign(ctx: StageContext, result: StageResult) -> None:
    from ..signing import signer_class
    from ..signing.model_release import model_release

    result.details["gates"] = require_passed_gates(ctx)
    workspace = ctx.workspace
    files, origin = model_release(workspace, ctx.config)

    stage_dir = workspace.stage_dir("sign")
    model_dir = stage_dir / MODEL_DIR
    shutil.rmtree(model_dir, ignore_errors=True)
    model_dir.mkdir()
    for file in files:
        target = model_dir / file.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file.source, target)
        artifact = workspace.artifact(target)
        if file.recorded and file.recorded != artifact.sha256:
            # the file changed after train recorded it (a tampered stash): never sign that
            shutil.rmtree(model_dir, ignore_errors=True)
            raise GateFailed(
                f"refusing to sign: {file.shown} differs from train's result.json "
                f"(recorded {file.recorded[:12]}, found {artifact.sha256[:12]})"
            )
        result.artifacts.append(artifact)
    signed = {Path(a.path).relative_to(f"sign/{MODEL_DIR}").as_posix(): a.sha256 for a in result.artifacts}
    require_judged_model(ctx, signed)

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
            "files": sorted(signed),
            "model_files_from": origin,
        }
    )
    if info.local_key:
        result.warnings.append("signed with a local, unmanaged key generated on this machine")
    ctx.echo(f"sign: {len(result.details['files'])} file(s) signed ({info.method}, key {info.key_id[:16]})")
