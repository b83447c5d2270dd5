"""Stage 10, store: publish the signed model, its signature, public key, reports and ML-BOM as one release.

Refused (exit 1) unless both gates passed and the model is signed and still matches its
signature. The release lands in `<store.url>/<project>/<version>/` with `manifest.json`
written last (see `stores/release.py`); every upload is verified by the backend.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mlsecops.errors import GateFailed
from mlsecops.redact import scrub_url
from mlsecops.stages.base import StageContext, run_stage
from mlsecops.stores.release import DEFAULT_STORE_URL, store_connections, store_url
from mlsecops.workspace import StageResult

# the store's address and connections, for the stages that look up the last release: stores/release.py
__all__ = ["DEFAULT_STORE_URL", "run", "store_connections", "store_url"]


def run(ctx: StageContext) -> StageResult:
    return run_stage("store", _store, ctx)


def _release_files(ctx: StageContext, sign_dir: Path) -> tuple[dict[str, Path], set[str]]:
    from mlsecops.signing.layout import BUNDLE, MODEL_DIR, PUBLIC_KEY

    model_dir = sign_dir / MODEL_DIR
    files = {path.relative_to(model_dir).as_posix(): path for path in sorted(model_dir.rglob("*")) if path.is_file()}
    signed = set(files)
    files[BUNDLE] = sign_dir / BUNDLE
    if (sign_dir / PUBLIC_KEY).is_file():
        files[PUBLIC_KEY] = sign_dir / PUBLIC_KEY
    # The release carries reports that include the sign stage: write them now, not at the last gate.
    from mlsecops.reports import write_reports

    reports = write_reports(ctx.workspace, ctx.config)[0].parent
    if reports.is_dir():
        for path in sorted(reports.rglob("*")):
            if path.is_file():
                files[f"reports/{path.relative_to(reports).as_posix()}"] = path
    return files, signed


def _store(ctx: StageContext, result: StageResult) -> None:
    from mlsecops import __version__
    from mlsecops.hashing import file_sha256
    from mlsecops.signing.layout import BUNDLE, MODEL_DIR, PUBLIC_KEY
    from mlsecops.signing.verifier import verify_model
    from mlsecops.stages.order import require_judged_model, require_passed_gates
    from mlsecops.stores import open_store
    from mlsecops.stores.release import publish_release, release_prefix

    workspace = ctx.workspace
    gates = require_passed_gates(ctx, action="store")
    sign = workspace.optional_result("sign")
    sign_dir = workspace.root / "sign"
    if sign is None or sign.status != "passed" or not (sign_dir / BUNDLE).is_file():
        raise GateFailed("refusing to store: the model is not signed (run `mlsecops sign`)")
    report = verify_model(sign_dir / MODEL_DIR, sign_dir / BUNDLE, sign_dir / PUBLIC_KEY)
    if not report.ok:
        changes = report.changed + report.added + report.missing
        raise GateFailed(
            "refusing to store: the signed model no longer matches its signature "
            f"({', '.join(changes) or report.message})"
        )

    # the model gate may have judged a newer model since sign ran: release only what it vouched for
    model_dir = sign_dir / MODEL_DIR
    require_judged_model(
        ctx,
        {p.relative_to(model_dir).as_posix(): file_sha256(p) for p in model_dir.rglob("*") if p.is_file()},
        action="store",
    )
    files, signed = _release_files(ctx, sign_dir)
    evaluate = workspace.optional_result("evaluate")
    project = ctx.config.project
    metadata = {
        "project": project.name,
        "version": project.version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "metrics": evaluate.metrics if evaluate else {},
        "gates": gates,
        "signing": {
            "method": sign.details.get("method", ""),
            "key_id": sign.details.get("key_id", ""),
            "local_key": bool(sign.details.get("local_key", False)),
            "hash": sign.details.get("hash", ""),
            "bundle": BUNDLE,
            "public_key": PUBLIC_KEY,
        },
        "mlsecops_version": __version__,
    }
    url = store_url(ctx.config, workspace)
    prefix = release_prefix(project.name, project.version)
    force = bool(ctx.options.get("force") or ctx.config.store.force)
    with open_store(url, store_connections(ctx.config)) as store:
        outcome = publish_release(store, prefix, files, signed, metadata, force=force, echo=ctx.echo)
    result.details.update(
        {
            "url": scrub_url(outcome.url),
            "prefix": outcome.prefix,
            "unchanged": outcome.unchanged,
            "replaced": outcome.replaced,
            "files": outcome.files,
        }
    )
    result.metrics["files"] = len(outcome.files)
    result.metrics["bytes"] = sum(int(entry["size"]) for entry in outcome.files)
    verdict = "already released, unchanged" if outcome.unchanged else "released"
    where = scrub_url(outcome.url)
    ctx.echo(f"store: {project.name} {project.version} {verdict} at {where} ({len(outcome.files)} files)")
