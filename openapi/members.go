package openapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// MemberReport is what CheckMembers found in an answer.
type MemberReport struct {
	// Missing lists, as paths such as `CRMQuote.ERPOrderKey`, `[0].ExtraInfo` or
	// `["A"].FieldType`, every member the contract defines for an object of the answer
	// that the answer leaves out, in order.
	Missing []string
	// Schemas counts, by the name of their component schema (PluginResponseInfo,
	// ProductInfo, …), the objects of the answer that were walked: a schema reached
	// through allOf counts too, so a QuoteResponseInfo also counts as a
	// PluginResponseInfo.
	Schemas map[string]int
}

// CheckMembers walks body, the answer with status and content type of the POST operation
// at path (e.g. "/GetProduct"), against the contract's schema for it and reports every
// member of every object that is not there. A member whose value is null is there; the
// contract's schemas are walked through allOf, array items and additionalProperties.
// .NET writes every member of a data contract, zero values and nulls included, so an
// answer with Missing empty carries what a .NET connector would. It fails when the
// contract has no such answer, or body is not JSON; an answer without a body has
// nothing to report.
func CheckMembers(path string, status int, contentType string, body []byte) (*MemberReport, error) {
	schema, err := responseSchema(http.MethodPost, path, status, contentType, body)
	if err != nil || schema == nil {
		return &MemberReport{Schemas: map[string]int{}}, err
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("POST %s %d: the body is not JSON: %w", path, status, err)
	}
	w := memberWalker{report: &MemberReport{Schemas: map[string]int{}}}
	w.walk("", v, schema)
	return w.report, nil
}

type memberWalker struct{ report *MemberReport }

// walk checks v, found at path, against ref.
func (w memberWalker) walk(path string, v any, ref *openapi3.SchemaRef) {
	if ref == nil || ref.Value == nil || v == nil {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		props := map[string]*openapi3.SchemaRef{}
		var extra *openapi3.SchemaRef
		w.collect(ref, props, &extra)
		names := make([]string, 0, len(props))
		for name := range props {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			member, ok := v[name]
			if !ok {
				w.report.Missing = append(w.report.Missing, join(path, name))
				continue
			}
			w.walk(join(path, name), member, props[name])
		}
		if extra != nil {
			keys := make([]string, 0, len(v))
			for k := range v {
				if _, ok := props[k]; !ok {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				w.walk(path+"["+strconv.Quote(k)+"]", v[k], extra)
			}
		}
	case []any:
		items := itemsOf(ref)
		for i, e := range v {
			w.walk(path+"["+strconv.Itoa(i)+"]", e, items)
		}
	}
}

// collect gathers the properties of ref and of every schema it includes through allOf,
// the additionalProperties schema if any, and counts each named component schema met.
func (w memberWalker) collect(ref *openapi3.SchemaRef, props map[string]*openapi3.SchemaRef, extra **openapi3.SchemaRef) {
	if ref == nil || ref.Value == nil {
		return
	}
	if name, ok := strings.CutPrefix(ref.Ref, "#/components/schemas/"); ok {
		w.report.Schemas[name]++
	}
	s := ref.Value
	for name, p := range s.Properties {
		props[name] = p
	}
	if s.AdditionalProperties.Schema != nil && *extra == nil {
		*extra = s.AdditionalProperties.Schema
	}
	for _, sub := range s.AllOf {
		w.collect(sub, props, extra)
	}
}

// itemsOf is the item schema of an array schema, looked up through allOf.
func itemsOf(ref *openapi3.SchemaRef) *openapi3.SchemaRef {
	if ref == nil || ref.Value == nil {
		return nil
	}
	if ref.Value.Items != nil {
		return ref.Value.Items
	}
	for _, sub := range ref.Value.AllOf {
		if items := itemsOf(sub); items != nil {
			return items
		}
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
