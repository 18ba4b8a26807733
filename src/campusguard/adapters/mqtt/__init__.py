"""MQTT device intake (aiomqtt/paho against Mosquitto) with commit-before-PUBACK durability."""

from campusguard.adapters.mqtt.intake import BrokerAddress, MqttIntake, MqttRejection, parse_url
from campusguard.adapters.mqtt.payload import (
    EVENT_TYPES,
    TOPIC_FILTER,
    DeviceEvent,
    DeviceEventPayload,
    PayloadError,
    parse_message,
    parse_payload,
    parse_topic,
)

__all__ = [
    "EVENT_TYPES",
    "TOPIC_FILTER",
    "BrokerAddress",
    "DeviceEvent",
    "DeviceEventPayload",
    "MqttIntake",
    "MqttRejection",
    "PayloadError",
    "parse_message",
    "parse_payload",
    "parse_topic",
    "parse_url",
]
