package server

// FastUnmarshal is fastUnmarshal, for the tests of package server_test.
var FastUnmarshal = fastUnmarshal
