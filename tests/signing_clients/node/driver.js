// Calls the emulator with Alibaba's Node.js `acs` (v2) signers, as their users call ROA APIs:
// @alicloud/pop-core's ROAClient and @alicloud/openapi-core's Client with signatureAlgorithm "v2".
// stdin: {"endpoint": "http://127.0.0.1:PORT", "key": ..., "secret": ..., "calls": [{"pattern", "params", "query"}]}
// stdout: one JSON line per client and call: {"client", "call", "status", "code"}.
'use strict';
const ROAClient = require('@alicloud/pop-core').ROAClient;
const OpenApi = require('@alicloud/openapi-core');
const $dara = require('@darabonba/typescript');

function pathOf(call) {
  // Both fill path parameters percent-encoded, as the generated Node.js SDKs do (OpenApiUtil.getEncodeParam).
  return call.pattern.replace(/\[(\w+)\]/g, (_, name) => encodeURIComponent(call.params[name]));
}

async function popCore(input, call) {
  const client = new ROAClient({endpoint: input.endpoint, apiVersion: '2021-02-04',
    accessKeyId: input.key, accessKeySecret: input.secret});
  try {
    await client.request('GET', pathOf(call), call.query, '', {'x-acs-action': call.action});
    return {status: 200, code: null};
  } catch (err) {
    return {status: err.statusCode || 0, code: err.code || String(err)};
  }
}

async function openapiCore(input, call) {
  const url = new URL(input.endpoint);
  const client = new OpenApi.default(new OpenApi.$OpenApiUtil.Config({accessKeyId: input.key,
    accessKeySecret: input.secret, endpoint: url.host, protocol: 'http', signatureAlgorithm: 'v2'}));
  const params = new OpenApi.$OpenApiUtil.Params({action: call.action, version: '2021-02-04', protocol: 'HTTP',
    pathname: pathOf(call), method: 'GET', authType: 'AK', style: 'ROA', reqBodyType: 'json', bodyType: 'json'});
  try {
    await client.callApi(params, new OpenApi.$OpenApiUtil.OpenApiRequest({query: call.query}), new $dara.RuntimeOptions({}));
    return {status: 200, code: null};
  } catch (err) {
    return {status: err.statusCode || 0, code: err.code || String(err)};
  }
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  for (const [name, run] of [['pop-core', popCore], ['openapi-core', openapiCore]]) {
    for (let i = 0; i < input.calls.length; i++) {
      const result = await run(input, input.calls[i]);
      process.stdout.write(JSON.stringify({client: name, call: i, ...result}) + '\n');
    }
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
