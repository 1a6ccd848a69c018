package web

// The /api/ replies. Their field names are a contract with the React client
// (react/src/) and scripts; TestAPIContract records them for React's tests.

type errorJSON struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
