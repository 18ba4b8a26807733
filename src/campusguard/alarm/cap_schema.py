"""The CAP 1.2 element set (OASIS CAP-v1.2, section 3) as an XML Schema: every message we send is checked."""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"

# Element order, cardinality and value lists follow the CAP 1.2 data dictionary.
CAP_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{CAP_NS}"
           xmlns:cap="{CAP_NS}" elementFormDefault="qualified" attributeFormDefault="unqualified">
  <xs:simpleType name="capDateTime">
    <xs:restriction base="xs:dateTime">
      <xs:pattern value="\\d\\d\\d\\d-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[\\-+]\\d\\d:\\d\\d"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="token">
    <xs:restriction base="xs:string"><xs:pattern value="[^\\s,&lt;&amp;]+"/></xs:restriction>
  </xs:simpleType>
  <xs:complexType name="namedValue">
    <xs:sequence>
      <xs:element name="valueName" type="xs:string"/>
      <xs:element name="value" type="xs:string"/>
    </xs:sequence>
  </xs:complexType>
  <xs:element name="alert">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="identifier" type="cap:token"/>
        <xs:element name="sender" type="cap:token"/>
        <xs:element name="sent" type="cap:capDateTime"/>
        <xs:element name="status">
          <xs:simpleType><xs:restriction base="xs:string">
            <xs:enumeration value="Actual"/><xs:enumeration value="Exercise"/>
            <xs:enumeration value="System"/><xs:enumeration value="Test"/><xs:enumeration value="Draft"/>
          </xs:restriction></xs:simpleType>
        </xs:element>
        <xs:element name="msgType">
          <xs:simpleType><xs:restriction base="xs:string">
            <xs:enumeration value="Alert"/><xs:enumeration value="Update"/><xs:enumeration value="Cancel"/>
            <xs:enumeration value="Ack"/><xs:enumeration value="Error"/>
          </xs:restriction></xs:simpleType>
        </xs:element>
        <xs:element name="source" type="xs:string" minOccurs="0"/>
        <xs:element name="scope">
          <xs:simpleType><xs:restriction base="xs:string">
            <xs:enumeration value="Public"/><xs:enumeration value="Restricted"/>
            <xs:enumeration value="Private"/>
          </xs:restriction></xs:simpleType>
        </xs:element>
        <xs:element name="restriction" type="xs:string" minOccurs="0"/>
        <xs:element name="addresses" type="xs:string" minOccurs="0"/>
        <xs:element name="code" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
        <xs:element name="note" type="xs:string" minOccurs="0"/>
        <xs:element name="references" type="xs:string" minOccurs="0"/>
        <xs:element name="incidents" type="xs:string" minOccurs="0"/>
        <xs:element name="info" minOccurs="0" maxOccurs="unbounded">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="language" type="xs:language" minOccurs="0"/>
              <xs:element name="category" maxOccurs="unbounded">
                <xs:simpleType><xs:restriction base="xs:string">
                  <xs:enumeration value="Geo"/><xs:enumeration value="Met"/><xs:enumeration value="Safety"/>
                  <xs:enumeration value="Security"/><xs:enumeration value="Rescue"/>
                  <xs:enumeration value="Fire"/><xs:enumeration value="Health"/><xs:enumeration value="Env"/>
                  <xs:enumeration value="Transport"/><xs:enumeration value="Infra"/>
                  <xs:enumeration value="CBRNE"/><xs:enumeration value="Other"/>
                </xs:restriction></xs:simpleType>
              </xs:element>
              <xs:element name="event" type="xs:string"/>
              <xs:element name="responseType" minOccurs="0" maxOccurs="unbounded">
                <xs:simpleType><xs:restriction base="xs:string">
                  <xs:enumeration value="Shelter"/><xs:enumeration value="Evacuate"/>
                  <xs:enumeration value="Prepare"/><xs:enumeration value="Execute"/>
                  <xs:enumeration value="Avoid"/><xs:enumeration value="Monitor"/>
                  <xs:enumeration value="Assess"/><xs:enumeration value="AllClear"/>
                  <xs:enumeration value="None"/>
                </xs:restriction></xs:simpleType>
              </xs:element>
              <xs:element name="urgency">
                <xs:simpleType><xs:restriction base="xs:string">
                  <xs:enumeration value="Immediate"/><xs:enumeration value="Expected"/>
                  <xs:enumeration value="Future"/><xs:enumeration value="Past"/>
                  <xs:enumeration value="Unknown"/>
                </xs:restriction></xs:simpleType>
              </xs:element>
              <xs:element name="severity">
                <xs:simpleType><xs:restriction base="xs:string">
                  <xs:enumeration value="Extreme"/><xs:enumeration value="Severe"/>
                  <xs:enumeration value="Moderate"/><xs:enumeration value="Minor"/>
                  <xs:enumeration value="Unknown"/>
                </xs:restriction></xs:simpleType>
              </xs:element>
              <xs:element name="certainty">
                <xs:simpleType><xs:restriction base="xs:string">
                  <xs:enumeration value="Observed"/><xs:enumeration value="Likely"/>
                  <xs:enumeration value="Possible"/><xs:enumeration value="Unlikely"/>
                  <xs:enumeration value="Unknown"/>
                </xs:restriction></xs:simpleType>
              </xs:element>
              <xs:element name="audience" type="xs:string" minOccurs="0"/>
              <xs:element name="eventCode" type="cap:namedValue" minOccurs="0" maxOccurs="unbounded"/>
              <xs:element name="effective" type="cap:capDateTime" minOccurs="0"/>
              <xs:element name="onset" type="cap:capDateTime" minOccurs="0"/>
              <xs:element name="expires" type="cap:capDateTime" minOccurs="0"/>
              <xs:element name="senderName" type="xs:string" minOccurs="0"/>
              <xs:element name="headline" type="xs:string" minOccurs="0"/>
              <xs:element name="description" type="xs:string" minOccurs="0"/>
              <xs:element name="instruction" type="xs:string" minOccurs="0"/>
              <xs:element name="web" type="xs:anyURI" minOccurs="0"/>
              <xs:element name="contact" type="xs:string" minOccurs="0"/>
              <xs:element name="parameter" type="cap:namedValue" minOccurs="0" maxOccurs="unbounded"/>
              <xs:element name="resource" minOccurs="0" maxOccurs="unbounded">
                <xs:complexType>
                  <xs:sequence>
                    <xs:element name="resourceDesc" type="xs:string"/>
                    <xs:element name="mimeType" type="xs:string"/>
                    <xs:element name="size" type="xs:integer" minOccurs="0"/>
                    <xs:element name="uri" type="xs:anyURI" minOccurs="0"/>
                    <xs:element name="derefUri" type="xs:string" minOccurs="0"/>
                    <xs:element name="digest" type="xs:string" minOccurs="0"/>
                  </xs:sequence>
                </xs:complexType>
              </xs:element>
              <xs:element name="area" minOccurs="0" maxOccurs="unbounded">
                <xs:complexType>
                  <xs:sequence>
                    <xs:element name="areaDesc" type="xs:string"/>
                    <xs:element name="polygon" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
                    <xs:element name="circle" minOccurs="0" maxOccurs="unbounded">
                      <xs:simpleType><xs:restriction base="xs:string">
                        <xs:pattern value="-?\\d{{1,2}}(\\.\\d+)?,-?\\d{{1,3}}(\\.\\d+)? \\d+(\\.\\d+)?"/>
                      </xs:restriction></xs:simpleType>
                    </xs:element>
                    <xs:element name="geocode" type="cap:namedValue" minOccurs="0" maxOccurs="unbounded"/>
                    <xs:element name="altitude" type="xs:decimal" minOccurs="0"/>
                    <xs:element name="ceiling" type="xs:decimal" minOccurs="0"/>
                  </xs:sequence>
                </xs:complexType>
              </xs:element>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
        <xs:any minOccurs="0" maxOccurs="unbounded" namespace="##other" processContents="lax"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""


@lru_cache(maxsize=1)
def cap_schema() -> etree.XMLSchema:
    """Compile the schema once per process."""
    return etree.XMLSchema(etree.fromstring(CAP_XSD.encode()))


def validate_cap(xml: bytes) -> list[str]:
    """Return the schema violations of a CAP document (empty when valid)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        doc = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed: {exc}"]
    schema = cap_schema()
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
