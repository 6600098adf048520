// Calls the emulator with Alibaba's legacy Go core (github.com/aliyun/alibaba-cloud-sdk-go/sdk), as its
// users call ROA APIs: a CommonRequest with a PathPattern and raw (unencoded) PathParams, signed `acs`.
// stdin: {"endpoint": "http://127.0.0.1:PORT", "key": ..., "secret": ..., "calls": [{"action", "pattern", "params", "query"}]}
// stdout: one JSON line per call: {"client", "call", "status", "code"}.
package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
)

type call struct {
	Action  string            `json:"action"`
	Pattern string            `json:"pattern"`
	Params  map[string]string `json:"params"`
	Query   map[string]string `json:"query"`
}

type input struct {
	Endpoint string `json:"endpoint"`
	Key      string `json:"key"`
	Secret   string `json:"secret"`
	Calls    []call `json:"calls"`
}

type result struct {
	Client string  `json:"client"`
	Call   int     `json:"call"`
	Status int     `json:"status"`
	Code   *string `json:"code"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	endpoint, err := url.Parse(in.Endpoint)
	if err != nil {
		panic(err)
	}
	client, err := sdk.NewClientWithAccessKey("cn-hangzhou", in.Key, in.Secret)
	if err != nil {
		panic(err)
	}
	out := json.NewEncoder(os.Stdout)
	for i, c := range in.Calls {
		request := requests.NewCommonRequest()
		request.Method = "GET"
		request.Scheme = endpoint.Scheme
		request.Domain = endpoint.Host
		request.Version = "2021-02-04"
		request.ApiName = c.Action
		request.PathPattern = c.Pattern
		for name, value := range c.Params {
			request.PathParams[name] = value
		}
		for name, value := range c.Query {
			request.QueryParams[name] = value
		}
		request.SetContentType("application/json")
		r := result{Client: "alibaba-cloud-sdk-go", Call: i}
		response, err := client.ProcessCommonRequest(request)
		if err != nil {
			if serverErr, ok := err.(*errors.ServerError); ok {
				code := serverErr.ErrorCode()
				r.Status, r.Code = serverErr.HttpStatus(), &code
			} else {
				text := fmt.Sprint(err)
				r.Code = &text
			}
		} else {
			r.Status = response.GetHttpStatus()
		}
		if err := out.Encode(r); err != nil {
			panic(err)
		}
	}
}
