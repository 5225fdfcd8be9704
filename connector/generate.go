package connector

//go:generate go run ./internal/genunsupported connector.go unsupported.go
