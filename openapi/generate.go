// Package openapi holds the Quote Connector contract (quoteconnector.yaml), the embedded
// spec served at /openapi.json and the response check built on it. The code generated
// from the contract is the data carriers in openapi/model (standard library only, aliased
// by package connector) and the embedded spec here (spec.gen.go). Only validate.go and
// this file are written by hand here; the *.gen.go files are regenerated with
// `make generate` and never edited.
package openapi

//go:generate go tool oapi-codegen -config models.cfg.yaml quoteconnector.yaml
//go:generate go tool oapi-codegen -config spec.cfg.yaml quoteconnector.yaml
//go:generate go tool oapi-codegen -config admin.cfg.yaml quoteconnector.yaml
