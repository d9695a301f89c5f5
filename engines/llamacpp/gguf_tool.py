"""GGUF files with llama.cpp's own code: K-quants through the `llama_model_quantize` API of the llama_cpp
bindings (the same function `llama-quantize` calls, already built into the environment, so no second
build of llama.cpp's tools), and the tensor types a file really holds, read with the vendored gguf-py.

Usage:
  python gguf_tool.py LLAMA_CPP_DIR quantize IN.gguf OUT.gguf TYPE   (TYPE: q4_k_m, q6_k, q4_0, ...)
  python gguf_tool.py LLAMA_CPP_DIR tensor-types FILE.gguf
Both print {"tensor_types": {"Q4_K": n, ...}, "tensors": n} for the (resulting) file.
"""
import ctypes
import json
import os
import sys
from collections import Counter


def tensor_types(llama_cpp_dir: str, path: str) -> dict:
    sys.path.insert(0, os.path.join(llama_cpp_dir, "gguf-py"))
    import gguf  # noqa: PLC0415 - only importable once the vendored folder is on the path

    reader = gguf.GGUFReader(path)
    counts = Counter(tensor.tensor_type.name for tensor in reader.tensors)
    return {"tensor_types": dict(sorted(counts.items())), "tensors": len(reader.tensors)}


def quantize(source: str, target: str, type_name: str) -> None:
    import llama_cpp  # noqa: PLC0415

    ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{type_name.upper()}", None)
    if ftype is None:
        raise SystemExit(f"llama.cpp has no quantization type {type_name}")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = 0  # llama.cpp's default: one thread per core
    status = llama_cpp.llama_model_quantize(source.encode(), target.encode(), ctypes.byref(params))
    if status != 0:
        raise SystemExit(f"llama_model_quantize({source} -> {type_name}) failed with status {status}; llama.cpp's log above says why")


def main() -> None:
    llama_cpp_dir, command, *rest = sys.argv[1:]
    if command == "quantize":
        source, target, type_name = rest
        quantize(source, target, type_name)
        print(json.dumps(tensor_types(llama_cpp_dir, target)))
    elif command == "tensor-types":
        print(json.dumps(tensor_types(llama_cpp_dir, rest[0])))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
