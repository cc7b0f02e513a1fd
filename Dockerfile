# retrain for GPU clusters, built from what the project can reach: a Debian bookworm base,
# scripts/setup.sh (Debian packages, the venv with torch 2.11.0, whose wheel brings the CUDA runtime,
# cuDNN and NCCL) and nvcc 13.0 from PyPI for the CUDA kernels (RETRAIN_NVCC=pip). Two stages: the
# build, then a slim runtime with the venv and the binaries only, run as a non-root user.
#   docker build -t retrain .
#   docker run --gpus all -v $PWD/data:/data -v $PWD/runs:/runs retrain --config configs/cifar_edm.yaml \
#       --set data.path=/data/cifar-10-batches-bin --set out=/runs
#   apptainer build retrain.sif scripts/retrain.def && apptainer run --nv retrain.sif --config ...
# tests/scripts/docker_in_step.sh (a CI test) keeps the runtime packages in step with what the binary
# links; scripts/check_docker_steps.sh runs the build stage's steps in a debootstrapped bookworm.
ARG BASE=debian:bookworm

FROM ${BASE} AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -q && apt-get install -y -q --no-install-recommends python3 python3-venv python3-pip git \
    ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/retrain
COPY . .
RUN RETRAIN_CUDA=ON RETRAIN_NVCC=pip bash scripts/setup.sh && rm -rf /var/lib/apt/lists/* /root/.cache/pip

FROM ${BASE} AS runtime
ENV DEBIAN_FRONTEND=noninteractive
# The shared libraries build/libexec/retrain loads that neither the torch wheel nor the driver provide.
RUN apt-get update -q && apt-get install -y -q --no-install-recommends python3 libyaml-cpp0.7 libspdlog1.10 \
    libfmt9 libzip4 zlib1g libstdc++6 ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/retrain
# The same paths as in the build stage: the binaries find LibTorch through their RPATH.
COPY --from=build /opt/retrain/.venv /opt/retrain/.venv
COPY --from=build /opt/retrain/build/retrain /opt/retrain/build/retrain
COPY --from=build /opt/retrain/build/libexec /opt/retrain/build/libexec
COPY --from=build /opt/retrain/configs /opt/retrain/configs
COPY --from=build /opt/retrain/scripts /opt/retrain/scripts
RUN useradd --create-home --uid 1000 retrain && mkdir -p /data /runs /checkpoints && \
    chown retrain /data /runs /checkpoints && ln -s /opt/retrain/build/retrain /usr/local/bin/retrain
USER retrain
VOLUME ["/data", "/runs", "/checkpoints"]
WORKDIR /runs
ENTRYPOINT ["retrain"]
