#!/usr/bin/env bash
# Lints the Jenkins library with npm-groovy-lint (CodeNarc), preset recommended-jenkinsfile
# (tests/groovy/.groovylintrc.json): vars/, src/, Jenkinsfile.example and the example
# Jenkinsfile. Fails on any error. npm-groovy-lint is installed from the npm registry into
# tests/groovy/.npm (ignored by git) on first use; it runs on the system Java (>= 17), never
# a downloaded one, and without its CodeNarc server (--noserver), so nothing stays running.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version=16.2.0
prefix="$here/.npm"
bin="$prefix/node_modules/.bin/npm-groovy-lint"

if [[ -z "${JAVA_HOME:-}" || ! -x "${JAVA_HOME}/bin/java" ]]; then
  java_bin="$(readlink -f "$(command -v java)")"
  export JAVA_HOME="$(dirname "$(dirname "$java_bin")")"
fi
java_major="$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
if (( ${java_major%%.*} < 17 )); then
  echo "lint.sh: npm-groovy-lint needs Java 17 or later; $JAVA_HOME has $java_major" >&2
  exit 2
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "lint.sh: node (>= 20) and npm are needed to install npm-groovy-lint" >&2
  exit 2
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 20 )); then
  echo "lint.sh: npm-groovy-lint needs Node.js 20 or later; found $(node --version)" >&2
  exit 2
fi

installed="$(node -p "require('$prefix/node_modules/npm-groovy-lint/package.json').version" 2>/dev/null || true)"
if [[ ! -x "$bin" || "$installed" != "$version" ]]; then
  echo "lint.sh: installing npm-groovy-lint@$version into $prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "npm-groovy-lint@$version" >/dev/null
fi

cd "$root"
targets=(vars src Jenkinsfile.example resources/org/mlsecops/examples/custom.Jenkinsfile)
"$bin" --noserver --config "$here" --javaexecutable "$JAVA_HOME/bin/java" \
  --failon error --output txt "${targets[@]}"
