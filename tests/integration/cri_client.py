#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A minimal CRI client, standing in for a kubelet (tests/integration/18-oci-cri.sh).

    cri_client.py SOCKET METHOD [REQUEST-JSON]

calls runtime.v1.RuntimeService/METHOD on the unix socket with the request given as JSON (the CRI's
field names) and prints the response as JSON, default values included. A gRPC error goes to stderr
with its status code, and the exit status is 1. The messages come from cri_v1.proto, compiled by
protoc into a directory on PYTHONPATH.
"""
import json
import sys

import grpc
from google.protobuf import json_format

import cri_v1_pb2 as pb


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    socket, method = sys.argv[1], sys.argv[2]
    service = pb.DESCRIPTOR.services_by_name["RuntimeService"]
    m = service.methods_by_name.get(method)
    if m is None:
        sys.exit(f"cri_client: unknown method {method}")
    req_cls = getattr(pb, m.input_type.name)
    resp_cls = getattr(pb, m.output_type.name)
    req = json_format.Parse(sys.argv[3] if len(sys.argv) == 4 else "{}", req_cls())
    with grpc.insecure_channel(f"unix://{socket}") as channel:
        call = channel.unary_unary(f"/runtime.v1.RuntimeService/{method}",
                                   request_serializer=req_cls.SerializeToString,
                                   response_deserializer=resp_cls.FromString)
        try:
            resp = call(req, timeout=120)
        except grpc.RpcError as e:
            print(f"cri_client: {method}: {e.code().name}: {e.details()}", file=sys.stderr)
            sys.exit(1)
    out = json_format.MessageToDict(resp, preserving_proto_field_name=True,
                                    including_default_value_fields=True)
    # ExecSync's bytes come back base64-encoded in JSON: decode them for the shell.
    for k in ("stdout", "stderr"):
        if isinstance(resp, pb.ExecSyncResponse):
            out[k] = getattr(resp, k).decode(errors="replace")
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
