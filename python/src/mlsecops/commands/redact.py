"""`mlsecops redact IN OUT`: the command line of `dataset_redact`."""

from __future__ import annotations

from pathlib import Path

import click

from mlsecops.engines.pii.redact import METHODS


@click.command(name="redact")
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False))
@click.argument("target", metavar="OUT", type=click.Path(dir_okay=False))
@click.option("--method", "methods", multiple=True, metavar="TYPE=METHOD",
              help=f"Per entity type: {', '.join(METHODS)} (repeatable), e.g. --method EMAIL_ADDRESS=hash.")
@click.option("--default-method", type=click.Choice(METHODS), default="token", show_default=True,
              help="For the types without --method.")
@click.option("--entities", metavar="TYPES", help="Comma-separated entity types to replace (default: all).")
@click.option("--phone-region", default="US", show_default=True, help="Region for national phone numbers.")
@click.option("--salt", envvar="MLSECOPS_PII_SALT", metavar="TEXT",
              help="Salt of the `hash` method (env MLSECOPS_PII_SALT); without it, hashes match within this run only.")
def redact(source: str, target: str, methods: tuple[str, ...], default_method: str, entities: str | None,
           phone_region: str, salt: str | None) -> None:
    """Write OUT: a copy of the CSV, TSV, JSONL or Parquet dataset IN with every PII entity replaced.

    \b
    Same rows in the same order, same columns (CSV: same delimiter and header). Methods:
      token  <EMAIL_ADDRESS>
      mask   every letter and digit as *, separators kept (***-**-****)
      hash   <EMAIL_ADDRESS:1f0c9a...>, salted: equal values stay equal
    Exit 2 when IN cannot be read: nothing is written then.
    """
    from mlsecops.engines.pii.cells import resolve_salt
    from mlsecops.engines.pii.engine import ENTITY_TYPES, PiiEngine
    from mlsecops.engines.pii.redact import Replacer, parse_methods, redact_file
    from mlsecops.errors import UsageError

    types = [t.strip().upper() for t in entities.split(",") if t.strip()] if entities else None
    try:
        engine = PiiEngine(types, phone_region=phone_region)
    except ValueError as exc:
        raise UsageError(f"--entities: {exc} (valid: {', '.join(ENTITY_TYPES)})") from None
    key, given = resolve_salt(salt)
    replace = Replacer(parse_methods(methods), default_method, key)
    result = redact_file(Path(source), Path(target), engine, replace)
    counts = ", ".join(f"{name}: {count}" for name, count in sorted(result.entities.items())) or "none"
    click.echo(f"{target}: {result.rows} row(s) written; entities replaced: {counts}")
    for note in result.notes:
        click.echo(f"  note: {note}")
    for line in result.rejected[:20]:
        click.echo(f"  rejected record, copied with its raw text redacted: {line}")
    if "hash" in {default_method, *replace.methods.values()} and not given:
        click.echo("  note: no salt given (--salt or MLSECOPS_PII_SALT): hashes match within this file only")
