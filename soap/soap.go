// Package soap is the SOAP 1.1 wire codec of the Quote Connector: it reads the envelopes
// SuperOffice NetServer (a WCF client using BasicHttpBinding and the DataContractSerializer)
// posts, and writes the answers it expects. It also writes requests and reads answers the
// way NetServer does, so a test can play NetServer against a server.
//
// Every element name, namespace, order and type comes from the XSD files of package
// soap/schema, parsed once when the package is initialised: for each data contract a plan
// lists its members in wire order (base contract first) and binds each one to a field of
// the Go carrier of package openapi/model. A member binds to the field whose json name is
// the member's name, else to the field whose json name equals it ignoring case, else to a
// field named in a short alias table; a member that binds to nothing, or to a field of the
// wrong kind, makes the initialisation panic, so a schema and the carriers cannot drift
// apart silently. Go fields without a member (such as IsOk, Retired or Ticket, which only
// the REST API carries) are not written.
//
// Reading follows WCF: namespaces count, prefixes do not; members are found by name in any
// order; unknown elements and attributes and i:type are ignored; i:nil="true" and an absent
// member both give the zero value. Writing follows the DataContractSerializer: every member,
// in order, null as i:nil="true", no i:type, no XML declaration and no whitespace.
//
// Null and empty strings: the Go carriers hold plain strings, so they cannot tell "" from
// null. The writers write "" as i:nil="true" (the REST API writes both as ""), and the
// readers read both null and empty elements as "". Items of string arrays are the one
// exception: an empty item is written as an empty element, since a null inside a string
// list is more likely to trip a consumer than an empty one.
//
// User-defined fields: the UserDefinedFields member (a UserDefinedFieldCarrier of six
// dictionaries) of ContactInfo, PersonInfo, ProjectInfo and SaleInfo binds to the Go field
// CustomFields, a map[string]string, as follows.
//
//   - UserDefinedStringFromProgId: key = the ProgId, value as it is.
//   - UserDefinedDecimalFromProgId: key = the ProgId, value CultureDataFormatter-encoded as
//     a double, "[F:1.5]".
//   - UserDefinedIntFromProgId: key = the ProgId, value encoded as an int, "[I:123]".
//   - UserDefinedStringFromFieldNumber, UserDefinedDecimalFromFieldNumber and
//     UserDefinedIntFromFieldNumber (whose values are strings on the wire): key = the
//     dictionary's name, a colon and the field number, "UserDefinedIntFromFieldNumber:17",
//     value as it is. Field numbers and ProgIds are different keys for possibly the same
//     field, so they are kept apart rather than merged under "SuperOffice:N".
//
// When a key occurs twice, the first dictionary in the order above wins. Writing does the
// inverse: a key of the FieldNumber form goes back to its dictionary; any other key is a
// ProgId, whose value goes to the Decimal dictionary when it decodes as "[F:…]" (finite),
// to the Int dictionary when it decodes as "[I:…]" within 32 bits, and to the String
// dictionary otherwise. A string-typed ProgId value that happens to read "[I:5]" therefore
// comes back as an int; no other value changes.
package soap

import (
	"strings"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
)

// The namespaces of the contract.
const (
	// NS is the namespace of every data contract, header, body part and most wrappers.
	NS = "http://www.superoffice.net/EIS/Quote/1.0"
	// NS2 is the namespace of the wrappers of the three approval operations.
	NS2 = "http://www.superoffice.net/EIS/Quote/2.0"
	// ArraysNS is the namespace of the items of string arrays.
	ArraysNS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
	// EnvelopeNS is the SOAP 1.1 envelope namespace.
	EnvelopeNS = "http://schemas.xmlsoap.org/soap/envelope/"
	// ActionPrefix is the SOAPAction of every quote operation without the operation name.
	ActionPrefix = NS + "/IOnlineQuoteConnector/"

	xsiNS    = "http://www.w3.org/2001/XMLSchema-instance"
	xsNS     = "http://www.w3.org/2001/XMLSchema"
	soap12NS = "http://www.w3.org/2003/05/soap-envelope"
	serNS    = "http://schemas.microsoft.com/2003/10/Serialization/"
	xmlNS    = "http://www.w3.org/XML/1998/namespace"
)

// KeyValue is one pair of the ConnectionConfigFields header.
type KeyValue struct{ Key, Value string }

// Header holds the six SOAP headers of a quote call.
type Header struct {
	// ConfigFields is ConnectionConfigFields in the order sent, duplicates included; nil
	// when the header is absent or null.
	ConfigFields      []KeyValue
	ConnectionData    *model.QuoteConnectionInfo
	ConnectionID      int32
	ContextIdentifier string
	SessionID         string
	UserInfo          *model.UserInfo
}

// Call is a decoded quote operation request.
type Call struct {
	Op     connector.Operation
	Header Header
	// Request is a pointer to a new value of Op.Request. Its ConfigValues is the map of
	// Header.ConfigFields (for a key sent twice the first value wins; nil when the header
	// is absent or null) and its ConnectionInfo is Header.ConnectionData (as is the
	// ConnectionData of a TestConnection request).
	Request any
}

// AuthShape is the form of an Authenticate handshake (the contract does not fix it).
type AuthShape int

// The three forms of the handshake.
const (
	// ShapeA is a message contract: body <AuthenticationRequest xmlns=N><SignedToken>,
	// answered by <AuthenticationResponse xmlns=N> with Reason, SignedApplicationToken and
	// Succeeded in N.
	ShapeA AuthShape = iota + 1
	// ShapeB is a data contract parameter: body <Authenticate xmlns=N><request><a:SignedToken
	// xmlns:a=M>, answered by <AuthenticateResponse xmlns=N><AuthenticateResult> with the
	// three members in M.
	ShapeB
	// ShapeC carries the token in a SOAP header: body <AuthenticateRequest xmlns=N>,
	// answered by <AuthenticateResponse xmlns=N> with the three members in N.
	ShapeC
)

// AuthRequest is a decoded Authenticate handshake.
type AuthRequest struct {
	Shape AuthShape
	// Namespace is the namespace of the body element; MemberNamespace that of the
	// SignedToken element (shape B answers in it).
	Namespace, MemberNamespace string
	// SignedToken is the text of the first SignedToken element, in any namespace, in the
	// headers or the body ("" when there is none or it is null).
	SignedToken string
}

// AuthResponse is the answer to a handshake. An empty Reason or SignedApplicationToken is
// written as null.
type AuthResponse struct {
	Succeeded                      bool
	Reason, SignedApplicationToken string
}

// Message is what a request envelope asks for: exactly one of Call and Auth is set.
type Message struct {
	Call *Call
	Auth *AuthRequest
}

// Fault is a SOAP 1.1 fault. Code is "s:Client" for a bad request and "s:Server" for a
// failure of the server; Message is shown to the user and must not carry secrets.
type Fault struct{ Code, Message string }

// Error returns the fault's code and message.
func (f *Fault) Error() string { return "soap fault " + f.Code + ": " + f.Message }

func clientFault(msg string) *Fault { return &Fault{Code: "s:Client", Message: msg} }

// trimAction strips white space and one pair of double quotes from a SOAPAction value.
func trimAction(a string) string {
	a = strings.TrimSpace(a)
	if len(a) >= 2 && a[0] == '"' && a[len(a)-1] == '"' {
		a = a[1 : len(a)-1]
	}
	return strings.TrimSpace(a)
}
