#!/bin/bash
# Exits 0 when the service on this host answers 200 on /health/ready, else 1. The runtime image
# has no curl; bash's /dev/tcp is enough for one plain HTTP request over the loopback. The port
# is the first of ASPNETCORE_HTTP_PORTS, the one the service listens on.
set -u
port="${ASPNETCORE_HTTP_PORTS:-8080}"
port="${port%%[,;]*}"

exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /health/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
read -r -t 5 _ status _ <&3 || exit 1
[ "${status}" = 200 ]
