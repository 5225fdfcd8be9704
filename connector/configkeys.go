package connector

import "strings"

// SuperOfficeConfigKeys are the keys SuperOffice adds to the ConfigValues of
// every request. StripSuperOfficeKeys removes them; changing this slice does
// not change what it removes, so the shared secret cannot leak through a
// careless append or reslice.
var SuperOfficeConfigKeys = []string{"ApplicationId", "QuoteConnectorUrl", "SharedSecret"}

var superOfficeConfigKeys = [...]string{"ApplicationId", "QuoteConnectorUrl", "SharedSecret"}

// StripSuperOfficeKeys returns a copy of m without the SuperOfficeConfigKeys,
// matched case-insensitively, so that a connector never sees SuperOffice's
// own settings, among them the SharedSecret credential. It never modifies m;
// a nil m gives nil.
func StripSuperOfficeKeys(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
next:
	for k, v := range m {
		for _, so := range superOfficeConfigKeys {
			if strings.EqualFold(k, so) {
				continue next
			}
		}
		out[k] = v
	}
	return out
}
