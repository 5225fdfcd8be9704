// Package openapi holds the Quote Connector contract (quoteconnector.yaml) and the code
// generated from it: the data carriers, the echo strict server, a client and the embedded
// spec. Only datetime.go, validate.go and this file are written by hand; the *.gen.go
// files are regenerated with `make generate` and never edited.
package openapi

//go:generate go tool oapi-codegen -config models.cfg.yaml quoteconnector.yaml
//go:generate go tool oapi-codegen -config client.cfg.yaml quoteconnector.yaml
//go:generate go tool oapi-codegen -config server.cfg.yaml quoteconnector.yaml
//go:generate go tool oapi-codegen -config spec.cfg.yaml quoteconnector.yaml
