package xmllint

import (
	"fmt"
	"testing"
)

// TestValidate: the envelope schema admits a correct answer and a fault, and reports a
// member out of data-contract order and an enum written as a number.
func TestValidate(t *testing.T) {
	const env = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>%s</s:Body></s:Envelope>`
	valid := map[string]string{
		"capabilities": `<GetCapabilitiesResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><CapabilitiesKeyValuePair><Key>iorderconsumer_place_order</Key><Value>true</Value></CapabilitiesKeyValuePair></Result></GetCapabilitiesResponse>`,
		"fault":        `<s:Fault><faultcode>s:Server</faultcode><faultstring xml:lang="en-US">The ERP did not answer in time.</faultstring></s:Fault>`,
		"test":         `<TestConnectionResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><State>Ok</State><UserExplanation i:nil="true"/><TechExplanation i:nil="true"/><ErrorCode i:nil="true"/></Result></TestConnectionResponse>`,
	}
	for name, body := range valid {
		if msg := Validate(t, []byte(fmt.Sprintf(env, body))); msg != "" {
			t.Errorf("%s: %s", name, msg)
		}
	}
	invalid := map[string]string{
		"out of order":   `<TestConnectionResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><UserExplanation i:nil="true"/><State>Ok</State><TechExplanation i:nil="true"/><ErrorCode i:nil="true"/></Result></TestConnectionResponse>`,
		"enum as number": `<TestConnectionResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><State>0</State><UserExplanation i:nil="true"/><TechExplanation i:nil="true"/><ErrorCode i:nil="true"/></Result></TestConnectionResponse>`,
		"unknown answer": `<NoSuchOperationResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"/>`,
	}
	for name, body := range invalid {
		if msg := Validate(t, []byte(fmt.Sprintf(env, body))); msg == "" {
			t.Errorf("%s: valid, want a complaint", name)
		}
	}
}
