"""One settings tree for the whole platform, read from the environment with the CG_ prefix."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Platform settings; secrets have no default outside the demo (see `demo_mode`)."""

    model_config = SettingsConfigDict(env_prefix="CG_", env_file=None, extra="ignore")

    demo_mode: bool = False
    data_dir: Path = Path("var")
    database_url: str | None = None
    secret_key: SecretStr | None = None
    data_key: SecretStr | None = Field(
        default=None, description="Key for encryption at rest; derived from secret_key when unset"
    )
    bus_url: str = "memory://"
    bus_stream: str = "CAMPUSGUARD"
    bus_prefix: str = "cg"
    node_name: str = Field(default_factory=lambda: f"node-{secrets.token_hex(3)}")
    mqtt_url: str | None = None
    dc09_port: int | None = None
    web_dir: Path | None = None
    public_base_url: str = "http://127.0.0.1:8000"

    access_token_ttl_s: int = 900
    refresh_token_ttl_s: int = 7 * 24 * 3600
    mfa_required_roles: list[str] = Field(default_factory=lambda: ["city_admin", "district_police"])
    login_max_failures: int = 5
    login_window_s: int = 300
    max_upload_bytes: int = 10 * 1024 * 1024
    timezone: str = "Asia/Shanghai"
    city_code: str = "440300"
    jobs_poll_s: float = 1.0
    log_json: bool = False
    gil_switch_ms: float = Field(
        default=0.5, gt=0, le=50,
        description="Python's thread switch interval: short, so the event loop (MQTT, WebSocket) is not kept "
                    "waiting 5 ms per I/O call behind a handler thread (the GIL convoy)",
    )

    video_dir: Path | None = Field(default=None, description="Recordings/live/clips; <data_dir>/video when unset")
    video_media_secret: SecretStr | None = Field(
        default=None, description="Secret shared with nginx secure_link; derived from secret_key when unset"
    )
    video_record: bool = Field(default=True, description="False: this node serves API/live but records nothing")
    video_capacity: int = Field(default=100, ge=0, description="Cameras this node's recording worker takes")
    video_segment_s: int = Field(default=10, ge=1, le=600)
    video_restart_min_s: float = Field(default=1.0, gt=0, description="First back-off of a failed recorder")

    @model_validator(mode="after")
    def _fill_paths(self) -> Settings:
        self.data_dir = Path(self.data_dir).resolve()
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.data_dir / 'campusguard.db'}"
        return self

    @property
    def db_url(self) -> str:
        """The database URL, always filled after validation."""
        assert self.database_url is not None
        return self.database_url

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    def secret(self) -> str:
        """Return the signing secret; only the demo may invent and persist one."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if not self.demo_mode:
            raise RuntimeError("CG_SECRET_KEY is required outside the demo")
        path = self.data_dir / "demo-secret.key"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        value = path.read_text().strip()
        self.secret_key = SecretStr(value)
        return value


@lru_cache
def get_settings() -> Settings:
    """Process-wide settings; tests build their own Settings instead."""
    return Settings()
