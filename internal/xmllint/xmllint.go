// Package xmllint validates SOAP envelopes against the schema the SOAP endpoint serves
// (package soap/schema), with xmllint from Debian's libxml2-utils, for tests.
//
// The envelope is validated whole: a small SOAP 1.1 envelope schema of our own wraps the
// served XSDs and validates the body's element strictly against their global elements.
// Without xmllint the tests that need it skip with one line, unless
// QUOTEKIT_REQUIRE_XMLLINT=1 (as in CI), which makes that a failure.
package xmllint

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/quotekit/quotekit/soap/schema"
)

// envelopeXSD is a SOAP 1.1 envelope whose Header and Body admit the served elements
// only, strictly validated: Body holds one answer, request wrapper or fault.
const envelopeXSD = `<?xml version="1.0" encoding="utf-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
  targetNamespace="http://schemas.xmlsoap.org/soap/envelope/" elementFormDefault="qualified">
  <xs:import namespace="http://www.superoffice.net/EIS/Quote/1.0" schemaLocation="quote.xsd"/>
  <xs:import namespace="http://www.superoffice.net/EIS/Quote/2.0" schemaLocation="quote2.xsd"/>
  <xs:import namespace="http://tempuri.org/" schemaLocation="auth.xsd"/>
  <xs:element name="Envelope">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Header" minOccurs="0">
          <xs:complexType><xs:sequence>
            <xs:any namespace="##other" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
          </xs:sequence></xs:complexType>
        </xs:element>
        <xs:element name="Body">
          <xs:complexType><xs:choice>
            <xs:element ref="s:Fault"/>
            <xs:any namespace="##other" processContents="strict"/>
          </xs:choice></xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
  <xs:element name="Fault">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="faultcode" type="xs:QName" form="unqualified"/>
        <xs:element name="faultstring" form="unqualified">
          <xs:complexType><xs:simpleContent><xs:extension base="xs:string">
            <xs:attribute ref="xml:lang" use="optional"/>
          </xs:extension></xs:simpleContent></xs:complexType>
        </xs:element>
        <xs:element name="faultactor" type="xs:anyURI" minOccurs="0" form="unqualified"/>
        <xs:element name="detail" minOccurs="0" form="unqualified"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
`

var (
	once   sync.Once
	dir    string
	setErr error
)

// schemaDir writes the served XSDs and the envelope schema into a directory of its own,
// once per test binary.
func schemaDir() (string, error) {
	once.Do(func() {
		dir, setErr = os.MkdirTemp("", "quotekit-xsd-")
		if setErr != nil {
			return
		}
		for _, name := range schema.XSDFiles {
			b, err := fs.ReadFile(schema.FS, name)
			if err != nil {
				setErr = err
				return
			}
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
				setErr = err
				return
			}
		}
		// xml:lang needs the XML namespace's schema; a tiny local one avoids fetching it.
		xmlXSD := `<?xml version="1.0"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.w3.org/XML/1998/namespace"><xs:attribute name="lang" type="xs:language"/></xs:schema>`
		env := strings.Replace(envelopeXSD, `<xs:import namespace="http://www.superoffice.net/EIS/Quote/1.0"`,
			`<xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="xml.xsd"/>
  <xs:import namespace="http://www.superoffice.net/EIS/Quote/1.0"`, 1)
		if err := os.WriteFile(filepath.Join(dir, "xml.xsd"), []byte(xmlXSD), 0o600); err != nil {
			setErr = err
			return
		}
		setErr = os.WriteFile(filepath.Join(dir, "envelope.xsd"), []byte(env), 0o600)
	})
	return dir, setErr
}

// Path returns the path of xmllint. When it is missing it skips t, or fails it when
// QUOTEKIT_REQUIRE_XMLLINT=1 (as in CI), so that CI can never skip schema validation.
func Path(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("QUOTEKIT_REQUIRE_XMLLINT") == "1" {
			t.Fatal("xmllint not found (apt-get install libxml2-utils); QUOTEKIT_REQUIRE_XMLLINT=1 requires it")
		}
		t.Skip("xmllint not found (apt-get install libxml2-utils): schema validation skipped")
	}
	return path
}

// Validate checks a whole SOAP envelope against the served schema and returns xmllint's
// complaint, or "" when the envelope is valid. Without xmllint it skips t as Path does.
func Validate(t testing.TB, envelope []byte) string {
	t.Helper()
	bin := Path(t)
	d, err := schemaDir()
	if err != nil {
		t.Fatalf("writing the schema files: %v", err)
	}
	f, err := os.CreateTemp(d, "doc-*.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(envelope); err != nil {
		t.Fatal(err)
	}
	f.Close()
	schemaFile := filepath.Join(d, "envelope.xsd")
	out, err := exec.CommandContext(context.Background(), bin, "--noout", "--nonet", "--schema", schemaFile, f.Name()).CombinedOutput() //nolint:gosec // fixed program; the paths are this package's own files

	if err != nil {
		return strings.TrimSpace(strings.ReplaceAll(string(out), f.Name(), "envelope"))
	}
	return ""
}
