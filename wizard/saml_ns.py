"""The XML namespaces of SAML 2.0 and XML Signature, shared by the metadata and response checks."""

from __future__ import annotations

SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol"  # Response, Status, AuthnRequest
SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"  # Assertion, Issuer, Subject, Conditions
MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"  # EntityDescriptor, IDPSSODescriptor
DS_NS = "http://www.w3.org/2000/09/xmldsig#"  # Signature, X509Certificate

__all__ = ["DS_NS", "MD_NS", "SAMLP_NS", "SAML_NS"]
