# One image for web, worker, beat and the migrate job (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# git and ssh for cloning the audited repositories; nothing else from the OS.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git openssh-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# The commit this image is built from: part of every cached fragment's key (AUDITOR_RELEASE).
ARG AUDITOR_RELEASE
RUN test -n "$AUDITOR_RELEASE" || { echo "Build with --build-arg AUDITOR_RELEASE=\$(git rev-parse HEAD)"; exit 1; } \
    && echo "$AUDITOR_RELEASE" > RELEASE
# Static files are collected (hashed and compressed for WhiteNoise) at build time; the keys
# here only let settings load and are never used for anything.
RUN SECRET_KEY=collectstatic-only SITE_URL=http://collectstatic.invalid \
    AUDITOR_TOKEN_KEY=$(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 10001 auditor && mkdir -p /app/var && chown -R auditor /app/var
USER auditor

EXPOSE 8000
CMD ["gunicorn", "auditor.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
