// Calls the emulator with Alibaba's legacy Java core (com.aliyun:aliyun-java-sdk-core), as its users call ROA
// APIs: a CommonRequest with a URI pattern and raw (unencoded) path parameters, signed `acs` (the default, V1)
// and, as the second client, with the core's opt-in ACS3-HMAC-SHA256 (SignatureVersion.V3).
// stdin: {"endpoint": "http://127.0.0.1:PORT", "key": ..., "secret": ..., "calls": [{"action", "pattern", "params", "query"}]}
// stdout: one JSON line per client and call: {"client", "call", "status", "code"}.
import com.aliyuncs.CommonRequest;
import com.aliyuncs.CommonResponse;
import com.aliyuncs.DefaultAcsClient;
import com.aliyuncs.auth.SignatureVersion;
import com.aliyuncs.exceptions.ClientException;
import com.aliyuncs.http.MethodType;
import com.aliyuncs.http.ProtocolType;
import com.aliyuncs.profile.DefaultProfile;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

public class Driver {
    public static void main(String[] args) throws Exception {
        Gson gson = new Gson();
        JsonObject in = gson.fromJson(new InputStreamReader(System.in, StandardCharsets.UTF_8), JsonObject.class);
        URI endpoint = URI.create(in.get("endpoint").getAsString());
        DefaultAcsClient client = new DefaultAcsClient(
                DefaultProfile.getProfile("cn-hangzhou", in.get("key").getAsString(), in.get("secret").getAsString()));
        String[] names = {"aliyun-java-sdk-core", "aliyun-java-sdk-core-v3"};
        for (String name : names) {
            for (int i = 0; i < in.getAsJsonArray("calls").size(); i++) {
                JsonObject call = in.getAsJsonArray("calls").get(i).getAsJsonObject();
                CommonRequest request = new CommonRequest();
                request.setSysMethod(MethodType.GET);
                request.setSysProtocol(ProtocolType.HTTP);
                request.setSysDomain(endpoint.getAuthority());
                request.setSysVersion("2021-02-04");
                request.setSysAction(call.get("action").getAsString());
                request.setSysUriPattern(call.get("pattern").getAsString());
                if (name.endsWith("-v3")) {
                    request.setSysSignatureVersion(SignatureVersion.V3);
                }
                for (Map.Entry<String, com.google.gson.JsonElement> e : call.getAsJsonObject("params").entrySet()) {
                    request.putPathParameter(e.getKey(), e.getValue().getAsString());
                }
                for (Map.Entry<String, com.google.gson.JsonElement> e : call.getAsJsonObject("query").entrySet()) {
                    request.putQueryParameter(e.getKey(), e.getValue().getAsString());
                }
                JsonObject result = new JsonObject();
                result.addProperty("client", name);
                result.addProperty("call", i);
                try {
                    CommonResponse response = client.getCommonResponse(request);
                    result.addProperty("status", response.getHttpStatus());
                    result.add("code", null);
                } catch (ClientException e) {
                    result.addProperty("status", 0);
                    result.addProperty("code", e.getErrCode());
                } catch (RuntimeException e) {
                    result.addProperty("status", 0);
                    result.addProperty("code", e.toString());
                }
                System.out.println(gson.toJson(result));
            }
        }
        client.shutdown();
    }
}
