FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Static files are collected at build time and served by the app (WhiteNoise).
# The key below exists only for this build step; the running container needs its own.
RUN SECRET_KEY=collectstatic-build-step-only DEBUG=false python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 upturn \
    && mkdir -p /app/var/media && chown -R upturn /app/var
USER upturn

EXPOSE 8000
CMD ["bin/web"]
