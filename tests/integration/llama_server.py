"""Serve one GGUF with llama.cpp's OpenAI-compatible server (llama_cpp.server) on 127.0.0.1.

`python -m llama_cpp.server` offers no setting (model field or environment variable) for
llama.cpp's `use_extra_bufts`, and the AMX buffers it enables crash this project's machines with
SIGSEGV. So this launcher builds the server's own app while the project's workaround is in
place (the model loads inside `create_app`), then runs it with uvicorn.

    python tests/integration/llama_server.py MODEL.gguf --alias NAME --port PORT
"""

import argparse

import uvicorn
from llama_cpp.server.app import create_app
from llama_cpp.server.settings import ModelSettings, ServerSettings

from ai.llm import _without_weight_repacking


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="path of the GGUF file")
    parser.add_argument("--alias", required=True, help="the model id the server reports")
    parser.add_argument("--port", type=int, required=True)
    # One thread by default: on two shared cores llama.cpp's spinning threads, oversubscribed,
    # ran the same reply 10-50 times slower than one thread did.
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    server = ServerSettings(host="127.0.0.1", port=args.port)
    model = ModelSettings(
        model=args.model,
        model_alias=args.alias,
        n_ctx=2048,
        n_threads=args.threads,
        n_threads_batch=args.threads,
        seed=7,
        verbose=False,
    )
    with _without_weight_repacking():
        app = create_app(server_settings=server, model_settings=[model])
    uvicorn.run(app, host=server.host, port=server.port, log_level="warning")


if __name__ == "__main__":
    main()
