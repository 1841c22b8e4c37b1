# syntax=docker/dockerfile:1
#
# ExpressionService image. Build from the repository root:
#   docker build -t expression-service:cpu .
#   docker build --build-arg TORCH_BACKEND=cuda -t expression-service:cuda .
# TORCH_BACKEND=cuda restores TorchSharp-cuda-linux (LibTorch with its CUDA libraries, several
# GB); the image then runs on the NVIDIA container runtime, which brings the host's driver in.
#
# Volumes (owned by the non-root user 'app'):
#   /data/registry  the model registry (versions and aliases.json); seeded with the shipped model
#   /data/jobs      the job database (jobs.db, SQLite) and each job's work folder
#   /data/datasets  the data sets training jobs read; mount it read-only
ARG TORCH_BACKEND=cpu

# The pretrained face nets, from their npm package (pinned with its hash in package-lock.json).
FROM node:20-bookworm-slim AS face-api
WORKDIR /src/tools/face-api
COPY tools/face-api/package.json tools/face-api/package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TORCH_BACKEND
WORKDIR /src

# Restore in a layer of its own: it is rebuilt only when a project or package version changes.
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/ExpressionNet/ExpressionNet.csproj src/ExpressionNet/
COPY src/ExpressionService/ExpressionService.csproj src/ExpressionService/
RUN dotnet restore src/ExpressionService/ExpressionService.csproj -p:TorchBackend=${TORCH_BACKEND}

# The build copies the two face nets it needs from this folder instead of running npm itself.
COPY --from=face-api /src/tools/face-api/node_modules/@vladmandic/face-api/model/ /face-api/model/
COPY .editorconfig ./
COPY src/ src/
# The shipped default model, which seeds an empty registry.
COPY models/default/ models/default/
RUN dotnet build src/ExpressionService/ExpressionService.csproj -c Release --no-restore \
        -p:TorchBackend=${TORCH_BACKEND} -p:FaceApiModelDir=/face-api/model/

FROM build AS publish
RUN dotnet publish src/ExpressionService/ExpressionService.csproj -c Release --no-build -o /app \
        -p:TorchBackend=${TORCH_BACKEND} -p:FaceApiModelDir=/face-api/model/

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime-base
WORKDIR /app
RUN mkdir -p /data/registry /data/jobs /data/datasets && chown -R "$APP_UID:$APP_UID" /data
COPY --chmod=755 deploy/docker/healthcheck.sh /usr/local/bin/healthcheck
COPY --from=publish /app ./

ENV ASPNETCORE_HTTP_PORTS=8080 \
    Registry__Root=/data/registry \
    Jobs__Database=/data/jobs/jobs.db \
    Jobs__WorkRoot=/data/jobs/work \
    Jobs__DataRoot=/data/datasets \
    Batching__Device=auto
EXPOSE 8080
VOLUME ["/data/registry", "/data/jobs", "/data/datasets"]

USER $APP_UID
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["/usr/local/bin/healthcheck"]
ENTRYPOINT ["dotnet", "ExpressionService.dll"]

FROM runtime-base AS runtime-cpu

# The NVIDIA container runtime reads these: which GPUs to expose, and that CUDA compute needs
# the driver's compute libraries. Batching__Device=auto then runs the model on the GPU.
FROM runtime-base AS runtime-cuda
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility

FROM runtime-${TORCH_BACKEND}
