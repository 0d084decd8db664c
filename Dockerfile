# The ledger's image: dependencies installed from requirements.lock at build time, nothing fetched at start.
# Build stage: a venv at /opt/ledger with the locked packages and the ledger itself (built from a copy of
# the source, so the source is never written to). Runtime stage: that venv, the PostgreSQL client tools
# (pg_dump / pg_restore for `ledger backup` and `ledger restore`) and a non-root user.
# tests/deploy/test_image.py runs this file's build-stage RUN steps in a clean venv over a read-only copy.
FROM python:3.11-slim AS build
WORKDIR /src
COPY requirements.lock pyproject.toml /src/
COPY services /src/services
RUN python -m venv /opt/ledger
RUN /opt/ledger/bin/pip install --no-cache-dir --disable-pip-version-check -q -r /src/requirements.lock
RUN cp -r /src /tmp/build-src && /opt/ledger/bin/pip install --no-cache-dir --disable-pip-version-check -q --no-deps /tmp/build-src && rm -rf /tmp/build-src

FROM python:3.11-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/ledger --create-home ledger
COPY --from=build /opt/ledger /opt/ledger
ENV PATH=/opt/ledger/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    LEDGER_HOST=0.0.0.0 \
    LEDGER_PORT=8000 \
    LEDGER_KEY_FILE=/var/lib/ledger/log.key
USER ledger
WORKDIR /var/lib/ledger
EXPOSE 8000
CMD ["ledger", "run"]
