# retrain for GPU clusters: CUDA 13 + cuDNN devel image, Debian-family packages, the project venv with
# torch 2.11.0 (LibTorch), and a Release build with the CUDA kernels for Ampere and Hopper.
#   docker build -t retrain .
#   docker run --gpus all -v $PWD/runs:/opt/retrain/runs retrain --config configs/gaussian_collapse.yaml
ARG BASE=nvidia/cuda:13.0.1-cudnn-devel-ubuntu24.04
FROM ${BASE}
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -q && apt-get install -y -q --no-install-recommends python3 python3-venv python3-pip git \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/retrain
COPY . .
# setup.sh installs the remaining Debian packages, creates .venv with torch and builds build/retrain.
RUN RETRAIN_CUDA=ON bash scripts/setup.sh && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["/opt/retrain/build/retrain"]
