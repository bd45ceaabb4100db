# The hpsearch image (docker-compose.yml, deploy/kubernetes): Python 3.11, hpsearch, and
# TensorFlow with its CUDA and cuDNN libraries from PyPI (the `gpu` extra, tensorflow[and-cuda]).
# The host needs only the NVIDIA driver and the NVIDIA Container Toolkit; see docs/GPU.md.
#
# Not a tensorflow/tensorflow:*-gpu base: those carry their own Keras, which `pip install .`
# does not upgrade (the 2.16.1 image has Keras 3.1; workers need Keras >= 3.3).
#
# The base by digest, so a rebuild starts from the same bytes until the digest is changed here
# (the tag alone moves with every Debian or Python patch release). The digest is that of the
# multi-platform index of python:3.11-slim-trixie; `docker buildx imagetools inspect
# python:3.11-slim-trixie` prints the current one.
FROM python:3.11-slim-trixie@sha256:90744cff8f32887f075c47d747a173ff333e9e98801667af93c357fa9f5e28ff

LABEL org.opencontainers.image.title="hpsearch" \
      org.opencontainers.image.description="Hyperparameter search for Keras text classifiers, on Optuna studies in SQLite or PostgreSQL." \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11-slim-trixie"

# NVIDIA_DRIVER_CAPABILITIES: what the NVIDIA Container Toolkit mounts from the host driver;
# compute for CUDA, utility for nvidia-smi. Which GPUs a container sees is left to
# `docker run --gpus` / compose / the Kubernetes device plugin, never baked in.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility

# The exact versions first (deploy/lock_image_requirements.py writes them from pyproject.toml):
# a layer of several GB that a change to hpsearch's own code does not rebuild. Every file is
# checked against the lock's sha256 (--require-hashes), so a replaced wheel stops the build.
# TensorFlow finds the nvidia-* wheels next to itself in site-packages: no LD_LIBRARY_PATH.
COPY deploy/image-requirements.txt /tmp/image-requirements.txt
RUN pip install --no-cache-dir --require-hashes --requirement /tmp/image-requirements.txt \
    && rm /tmp/image-requirements.txt \
    && groupadd --gid 10001 hpsearch \
    && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin hpsearch

WORKDIR /opt/hpsearch
COPY pyproject.toml README.md LICENSE ./
COPY search ./search
COPY spaces ./spaces
COPY storage ./storage
# --no-build-isolation: the build backend (setuptools) is the locked, hash-checked one above,
# not a fresh unchecked download.
RUN pip install --no-cache-dir --no-deps --no-build-isolation . \
    && pip check

# A numeric user, so Kubernetes can check runAsNonRoot without reading /etc/passwd.
USER 10001:10001
WORKDIR /home/hpsearch
# `docker run IMAGE worker --study S` runs `hpsearch worker --study S`; Kubernetes `args` and
# compose `command` give only the arguments. For a shell: --entrypoint sh.
ENTRYPOINT ["hpsearch"]
CMD ["--help"]
