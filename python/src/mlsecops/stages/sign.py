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

from mlsecops.errors import GateFailed
from mlsecops.signing.layout import BUNDLE, MODEL_DIR, PUBLIC_KEY
from mlsecops.stages.base import StageContext, run_stage
from mlsecops.stages.order import require_judged_model, require_passed_gates
from mlsecops.workspace import StageResult


def run(ctx: StageContext) -> StageResult:
    return run_stage("sign", _sign, ctx)


def _sign(ctx: StageContext, result: StageResult) -> None:
    from mlsecops.signing import signer_class
    from mlsecops.signing.model_release import model_release

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
