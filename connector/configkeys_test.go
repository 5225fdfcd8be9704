package connector

import (
	"maps"
	"testing"
)

func TestStripSuperOfficeKeys(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]string
		want map[string]string
	}{
		{"nil", nil, nil},
		{"empty", map[string]string{}, map[string]string{}},
		{"prepended keys removed", map[string]string{
			"ApplicationId":     "app",
			"QuoteConnectorUrl": "https://erp.example/quote",
			"SharedSecret":      "s3cr3t",
			"ErpUser":           "sales",
		}, map[string]string{"ErpUser": "sales"}},
		{"any case", map[string]string{
			"sharedsecret":      "s3cr3t",
			"SHAREDSECRET":      "s3cr3t",
			"applicationID":     "app",
			"quoteconnectorurl": "u",
			"SharedSecretHint":  "kept",
		}, map[string]string{"SharedSecretHint": "kept"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := maps.Clone(tc.in)
			got := StripSuperOfficeKeys(tc.in)
			if (got == nil) != (tc.want == nil) || !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if !maps.Equal(tc.in, before) {
				t.Errorf("input changed to %v, was %v", tc.in, before)
			}
			if got != nil {
				got["Added"] = "x"
				if _, ok := tc.in["Added"]; ok {
					t.Errorf("result shares storage with the input")
				}
			}
		})
	}
}

func TestStripSuperOfficeKeysIgnoresChangedList(t *testing.T) {
	saved := SuperOfficeConfigKeys
	t.Cleanup(func() { SuperOfficeConfigKeys = saved })
	SuperOfficeConfigKeys = nil
	got := StripSuperOfficeKeys(map[string]string{"SharedSecret": "s3cr3t"})
	if len(got) != 0 {
		t.Errorf("got %v, want the SharedSecret removed", got)
	}
}
