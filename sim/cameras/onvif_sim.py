"""A small ONVIF device for the simulated cameras: WS-Discovery (UDP) and the SOAP calls used for import.

Stdlib only (runs under the system python3 or the venv). Answers GetCapabilities,
GetDeviceInformation, GetProfiles and GetStreamUri with two profiles (main/sub) pointing at
the RTSP simulator, and answers WS-Discovery probes with its device-service address.
``python3 sim/cameras/onvif_sim.py --http-port 8080 --rtsp rtsp://127.0.0.1:8554/cam1``
"""

from __future__ import annotations

import argparse
import re
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ENV = ('<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
       'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" '
       'xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body>{body}</s:Body></s:Envelope>')


def _profile(token: str, name: str, width: int, height: int, fps: int, kbps: int) -> str:
    return (f'<trt:Profiles token="{token}" fixed="true"><tt:Name>{name}</tt:Name>'
            f'<tt:VideoEncoderConfiguration token="venc_{token}"><tt:Name>{name}</tt:Name><tt:UseCount>1</tt:UseCount>'
            f'<tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>{width}</tt:Width><tt:Height>{height}</tt:Height>'
            f'</tt:Resolution><tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>{fps}</tt:FrameRateLimit>'
            f'<tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>{kbps}</tt:BitrateLimit></tt:RateControl>'
            f'</tt:VideoEncoderConfiguration></trt:Profiles>')


class OnvifDevice:
    """State shared by the SOAP and discovery servers."""

    def __init__(self, host: str, http_port: int, main_uri: str, sub_uri: str, name: str = "SimCam",
                 username: str | None = None) -> None:
        self.host, self.http_port = host, http_port
        self.main_uri, self.sub_uri, self.name = main_uri, sub_uri, name
        self.username = username
        self.uuid = f"urn:uuid:{uuid.uuid4()}"
        self.calls: list[str] = []

    @property
    def xaddr(self) -> str:
        return f"http://{self.host}:{self.http_port}/onvif/device_service"

    def answer(self, body: str) -> str | None:
        """The SOAP response for a request body, or None for an unknown operation."""
        base = f"http://{self.host}:{self.http_port}/onvif"
        if self.username and f"<Username>{self.username}</Username>" not in body.replace("wsse:", ""):
            return None
        if "GetCapabilities" in body:
            self.calls.append("GetCapabilities")
            return ENV.format(body=(
                '<tds:GetCapabilitiesResponse><tds:Capabilities>'
                f'<tt:Device><tt:XAddr>{base}/device_service</tt:XAddr></tt:Device>'
                f'<tt:Media><tt:XAddr>{base}/media_service</tt:XAddr><tt:StreamingCapabilities>'
                '<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>'
                '<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>'
                '</tds:Capabilities></tds:GetCapabilitiesResponse>'))
        if "GetDeviceInformation" in body:
            self.calls.append("GetDeviceInformation")
            return ENV.format(body=(
                '<tds:GetDeviceInformationResponse><tds:Manufacturer>CampusGuard Sim</tds:Manufacturer>'
                f'<tds:Model>{self.name}</tds:Model><tds:FirmwareVersion>1.0</tds:FirmwareVersion>'
                '<tds:SerialNumber>SIM0001</tds:SerialNumber><tds:HardwareId>sim</tds:HardwareId>'
                '</tds:GetDeviceInformationResponse>'))
        if "GetProfiles" in body:
            self.calls.append("GetProfiles")
            return ENV.format(body='<trt:GetProfilesResponse>' + _profile("main", "mainStream", 1920, 1080, 25, 4096)
                              + _profile("sub", "subStream", 640, 360, 15, 512) + '</trt:GetProfilesResponse>')
        if "GetStreamUri" in body:
            self.calls.append("GetStreamUri")
            uri = self.sub_uri if re.search(r"ProfileToken>\s*sub\s*<", body) else self.main_uri
            return ENV.format(body=(
                f'<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>{uri}</tt:Uri>'
                '<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false'
                '</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>'))
        return None

    def probe_match(self, message_id: str) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
            'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
            'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
            'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header>'
            f'<a:MessageID>urn:uuid:{uuid.uuid4()}</a:MessageID><a:RelatesTo>{message_id}</a:RelatesTo>'
            '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action></s:Header>'
            f'<s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>{self.uuid}</a:Address>'
            '</a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types>'
            f'<d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/{self.name} '
            'onvif://www.onvif.org/hardware/SimCam onvif://www.onvif.org/location/campus</d:Scopes>'
            f'<d:XAddrs>{self.xaddr}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch>'
            '</d:ProbeMatches></s:Body></s:Envelope>').encode()


def make_handler(device: OnvifDevice) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt: str, *args: Any) -> None:
            return None

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode(errors="replace")
            reply = device.answer(body)
            code = 200 if reply is not None else 400
            data = (reply or ENV.format(body='<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code>'
                                        '<s:Reason><s:Text xml:lang="en">not supported or not authorized'
                                        '</s:Text></s:Reason></s:Fault>')).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def serve(device: OnvifDevice, discovery_port: int | None = None) -> tuple[ThreadingHTTPServer, socket.socket | None]:
    """Start the SOAP server (and a unicast WS-Discovery responder) in daemon threads."""
    httpd = ThreadingHTTPServer((device.host, device.http_port), make_handler(device))
    device.http_port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    udp = None
    if discovery_port is not None:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((device.host, discovery_port))

        def _respond() -> None:
            while True:
                try:
                    data, peer = udp.recvfrom(65535)
                except OSError:
                    return
                text = data.decode(errors="replace")
                if "Probe" not in text:
                    continue
                m = re.search(r"MessageID>([^<]+)<", text)
                udp.sendto(device.probe_match(m.group(1) if m else ""), peer)

        threading.Thread(target=_respond, daemon=True).start()
    return httpd, udp


def main() -> None:
    parser = argparse.ArgumentParser(description="ONVIF device simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument("--discovery-port", type=int, default=3702)
    parser.add_argument("--rtsp", default="rtsp://127.0.0.1:8554/cam1")
    parser.add_argument("--sub-rtsp", default=None)
    args = parser.parse_args()
    device = OnvifDevice(args.host, args.http_port, args.rtsp, args.sub_rtsp or args.rtsp)
    httpd, _ = serve(device, args.discovery_port)
    print(f"ONVIF device at {device.xaddr}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
