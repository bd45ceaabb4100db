# The hpsearch image (docker-compose.yml, deploy/kubernetes): Python 3.11, hpsearch, and
# TensorFlow with its CUDA and cuDNN libraries from PyPI (the `gpu` extra, tensorflow[and-cuda]).
# The host needs only the NVIDIA driver and the NVIDIA Container Toolkit; see docs/GPU.md.
#
# Not a tensorflow/tensorflow:*-gpu base: those carry their own Keras, which `pip install .`
# does not upgrade (the 2.16.1 image has Keras 3.1; workers need Keras >= 3.3).
FROM python:3.11-slim-trixie

# NVIDIA_DRIVER_CAPABILITIES: what the NVIDIA Container Toolkit mounts from the host driver;
# compute for CUDA, utility for nvidia-smi. Which GPUs a container sees is left to
# `docker run --gpus` / compose / the Kubernetes device plugin, never baked in.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility

# The exact versions first (deploy/lock_image_requirements.py writes them from pyproject.toml):
# a layer of several GB that a change to hpsearch's own code does not rebuild. TensorFlow finds
# the nvidia-* wheels next to itself in site-packages, so no LD_LIBRARY_PATH is needed.
COPY deploy/image-requirements.txt /tmp/image-requirements.txt
RUN pip install --no-cache-dir --requirement /tmp/image-requirements.txt \
    && rm /tmp/image-requirements.txt \
    && groupadd --gid 10001 hpsearch \
    && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin hpsearch

WORKDIR /opt/hpsearch
COPY pyproject.toml README.md ./
COPY search ./search
COPY spaces ./spaces
COPY storage ./storage
RUN pip install --no-cache-dir --no-deps . \
    && pip check

# A numeric user, so Kubernetes can check runAsNonRoot without reading /etc/passwd.
USER 10001:10001
WORKDIR /home/hpsearch
CMD ["hpsearch", "--help"]
