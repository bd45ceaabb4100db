# The hpsearch image of docker-compose.yml: TensorFlow with CUDA, and hpsearch on top.
FROM tensorflow/tensorflow:2.16.1-gpu
WORKDIR /opt/hpsearch
COPY pyproject.toml README.md ./
COPY search ./search
COPY spaces ./spaces
COPY storage ./storage
RUN pip install --no-cache-dir . && useradd --create-home hpsearch
USER hpsearch
WORKDIR /home/hpsearch
ENV PYTHONUNBUFFERED=1
CMD ["hpsearch", "--help"]
