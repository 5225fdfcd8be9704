// Package schema embeds the WSDL and XSD of quotekit's SOAP endpoint, the one
// definition of every SOAP element's name, namespace, type and order.
//
// The XSD files import each other with schemaLocation values that are plain
// file names ("quote.xsd", "arrays.xsd"), so the directory validates as is.
// The WSDL imports them as "?xsd=quote", "?xsd=quote2", "?xsd=arrays" and
// "?xsd=auth", and its service ports carry the address PlaceholderAddress; a
// server that publishes the files rewrites both to its own URL.
package schema

import "embed"

// FS holds the schema files, named by the constants below, at its root.
//
//go:embed *.xsd *.wsdl
var FS embed.FS

// File names in FS.
const (
	// QuoteXSD is the 1.0 namespace: data contracts, the six request headers
	// and the wrappers of the 29 operations in that namespace.
	QuoteXSD = "quote.xsd"
	// Quote2XSD is the 2.0 namespace: the wrappers of the 3 approval operations.
	Quote2XSD = "quote2.xsd"
	// ArraysXSD is the serializer's Arrays namespace (ArrayOfstring).
	ArraysXSD = "arrays.xsd"
	// AuthXSD is the Authenticate handshake.
	AuthXSD = "auth.xsd"
	// WSDL describes both contracts of the endpoint.
	WSDL = "quoteconnector.wsdl"
)

// XSDFiles lists the XSD files of FS; each is published as ?xsd=NAME, where
// NAME is the file name without ".xsd".
var XSDFiles = []string{QuoteXSD, Quote2XSD, ArraysXSD, AuthXSD}

// PlaceholderAddress is the soap:address location written in the WSDL, to be
// replaced with the endpoint's real URL when the WSDL is served.
const PlaceholderAddress = "https://connector.example.com/Services/QuoteConnector.svc"
