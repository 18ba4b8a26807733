"""Simulated IP cameras: one GStreamer RTSP server, mounts /cam1../camN, replaying pre-encoded H.264.

Run with the system interpreter (python3-gi): ``/usr/bin/python3 sim/cameras/server.py --cameras 4``.
Each camera is one shared live pipeline (appsrc ! h264parse ! rtph264pay) fed with access units of
the current scene; a control HTTP endpoint switches scenes (normal, frozen, black, blur) and drops a
camera off the network (sessions closed, mount removed) and brings it back.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import signal
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from media import FPS, SCENES, Clip, load_clips  # noqa: E402

log = logging.getLogger("simcam")

LAUNCH = (
    "( appsrc name=src is-live=true do-timestamp=true format=time "
    "caps=video/x-h264,stream-format=byte-stream,alignment=au,framerate={fps}/1 "
    "! h264parse ! rtph264pay name=pay0 pt=96 config-interval=0 )"
)


class Camera:
    """One mount point: scene state, the live appsrc (while anybody watches) and its clients."""

    def __init__(self, number: int, clips: dict[str, Clip], server: SimServer) -> None:
        self.number = number
        self.path = f"/cam{number}"
        self.clips = clips
        self.server = server
        self.scene = "normal"
        self.pending: str | None = None
        normal = clips["normal"]
        self.index = random.choice(sorted(normal.keyframes))
        self.online = True
        self.appsrcs: list[Gst.Element] = []
        self.medias: list[GstRtspServer.RTSPMedia] = []
        self.clients: set[GstRtspServer.RTSPClient] = set()
        self.frames_sent = 0
        self.factory = GstRtspServer.RTSPMediaFactory()
        self.factory.set_launch(LAUNCH.format(fps=FPS))
        self.factory.set_shared(True)
        self.factory.connect("media-configure", self._on_configure)

    def _on_configure(self, _factory: Any, media: GstRtspServer.RTSPMedia) -> None:
        src = media.get_element().get_child_by_name("src")
        self.appsrcs.append(src)
        self.medias.append(media)
        media.connect("unprepared", self._on_unprepared, src)
        log.info("%s: media configured", self.path)

    def _on_unprepared(self, media: GstRtspServer.RTSPMedia, src: Gst.Element) -> None:
        if src in self.appsrcs:
            self.appsrcs.remove(src)
        if media in self.medias:
            self.medias.remove(media)

    def next_unit(self) -> bytes:
        """The next access unit of the current scene; switches scene only at an IDR."""
        clip = self.clips[self.scene]
        if self.index >= len(clip.units):
            self.index = 0
        if self.pending is not None and self.index in clip.keyframes:
            self.scene, self.pending, self.index = self.pending, None, 0
            clip = self.clips[self.scene]
        unit = clip.units[self.index]
        self.index += 1
        return unit

    def push(self) -> None:
        unit = self.next_unit()
        if not self.online or not self.appsrcs:
            return
        for src in list(self.appsrcs):
            src.emit("push-buffer", Gst.Buffer.new_wrapped(unit))
        self.frames_sent += 1

    def status(self) -> dict[str, Any]:
        return {"number": self.number, "path": self.path, "scene": self.pending or self.scene,
                "online": self.online, "clients": len(self.clients), "frames_sent": self.frames_sent}


class SimServer:
    """The RTSP server, the frame clock and the camera set."""

    def __init__(self, cameras: int, port: int, clips: dict[str, Clip]) -> None:
        self.rtsp = GstRtspServer.RTSPServer()
        self.rtsp.set_address("127.0.0.1")
        self.rtsp.set_service(str(port))
        self.mounts = self.rtsp.get_mount_points()
        self.cameras = {n: Camera(n, clips, self) for n in range(1, cameras + 1)}
        for cam in self.cameras.values():
            self.mounts.add_factory(cam.path, cam.factory)
        self.rtsp.connect("client-connected", self._on_client)
        self.t0 = time.monotonic()
        self.frames = 0

    def _on_client(self, _server: Any, client: GstRtspServer.RTSPClient) -> None:
        client.connect("setup-request", self._on_setup)
        client.connect("closed", self._on_closed)

    def _on_setup(self, client: GstRtspServer.RTSPClient, ctx: GstRtspServer.RTSPContext) -> None:
        path = ctx.uri.abspath if ctx.uri is not None else ""
        for cam in self.cameras.values():
            if path == cam.path or path.startswith(cam.path + "/"):
                cam.clients.add(client)

    def _on_closed(self, client: GstRtspServer.RTSPClient) -> None:
        for cam in self.cameras.values():
            cam.clients.discard(client)

    def tick(self) -> bool:
        """Push every frame that is due since start, so the rate holds even if a tick is late."""
        due = int((time.monotonic() - self.t0) * FPS)
        while self.frames < due:
            for cam in self.cameras.values():
                cam.push()
            self.frames += 1
        return True

    def drop(self, cam: Camera) -> None:
        """Camera leaves the network: close its clients' connections and refuse new ones."""
        cam.online = False
        self.mounts.remove_factory(cam.path)
        victims = set(cam.clients)

        def _filter(_server: Any, client: GstRtspServer.RTSPClient) -> GstRtspServer.RTSPFilterResult:
            return (GstRtspServer.RTSPFilterResult.REMOVE if client in victims
                    else GstRtspServer.RTSPFilterResult.KEEP)

        self.rtsp.client_filter(_filter)
        for media in list(cam.medias):
            media.unprepare()
        cam.clients.clear()

    def restore(self, cam: Camera) -> None:
        cam.online = True
        self.mounts.add_factory(cam.path, cam.factory)


def _on_main(fn: Callable[[], Any]) -> Any:
    """Run fn on the GLib main loop (GStreamer objects are not thread-safe) and return its value."""
    done = threading.Event()
    box: dict[str, Any] = {}

    def _run() -> bool:
        try:
            box["value"] = fn()
        except Exception as exc:  # reported to the HTTP caller
            box["error"] = exc
        done.set()
        return False

    GLib.idle_add(_run)
    done.wait(10)
    if "error" in box:
        raise box["error"]
    return box.get("value")


def make_control(sim: SimServer) -> type[BaseHTTPRequestHandler]:
    """Control API: GET /cameras; POST /cameras/N/scene/NAME, /cameras/N/drop, /cameras/N/restore."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt: str, *args: Any) -> None:
            log.debug(fmt, *args)

        def _send(self, code: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path in ("/health", "/"):
                self._send(200, {"ok": True, "cameras": len(sim.cameras)})
            elif self.path == "/cameras":
                self._send(200, _on_main(lambda: [c.status() for c in sim.cameras.values()]))
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self) -> None:
            parts = [p for p in self.path.split("/") if p]
            if len(parts) < 3 or parts[0] != "cameras" or not parts[1].isdigit():
                self._send(404, {"error": "not found"})
                return
            cam = sim.cameras.get(int(parts[1]))
            if cam is None:
                self._send(404, {"error": "no such camera"})
                return
            action = parts[2]
            if action == "scene" and len(parts) == 4 and parts[3] in SCENES:
                scene = parts[3]

                def _set() -> None:
                    cam.pending = scene if scene != cam.scene else None

                _on_main(_set)
            elif action == "drop":
                _on_main(lambda: sim.drop(cam))
            elif action == "restore":
                _on_main(lambda: sim.restore(cam))
            else:
                self._send(400, {"error": f"unknown action {'/'.join(parts[2:])}", "scenes": list(SCENES)})
                return
            log.info("%s: %s", cam.path, "/".join(parts[2:]))
            self._send(200, _on_main(cam.status))

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=4)
    parser.add_argument("--port", type=int, default=8554)
    parser.add_argument("--control-port", type=int, default=8555)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--bitrate", type=int, default=4000, help="kbit/s of the pre-encoded stream")
    parser.add_argument("--cache", default=str(Path.home() / ".cache" / "campusguard-simcam"))
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    random.seed(args.seed)
    width, height = (int(x) for x in args.size.lower().split("x"))
    Gst.init(None)
    clips = load_clips(Path(args.cache), width, height, args.bitrate)
    sim = SimServer(args.cameras, args.port, clips)
    if sim.rtsp.attach(None) == 0:
        raise SystemExit(f"cannot listen on RTSP port {args.port}")
    GLib.timeout_add(10, sim.tick)
    httpd = ThreadingHTTPServer(("127.0.0.1", args.control_port), make_control(sim))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    log.info("ready rtsp://127.0.0.1:%d/cam1..cam%d control http://127.0.0.1:%d",
             args.port, args.cameras, args.control_port)
    print(json.dumps({"ready": True, "rtsp_port": args.port, "control_port": args.control_port}), flush=True)
    loop.run()
    httpd.shutdown()


if __name__ == "__main__":
    main()
