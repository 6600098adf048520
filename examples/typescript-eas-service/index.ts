import * as pulumi from "@pulumi/pulumi";
import * as paiModels from "@your-org/pai-models";

const config = new pulumi.Config();
const modelName = config.require("modelName");
const serviceName = config.require("serviceName");
const processor = config.require("processor");

// A function: asked again on every preview and update, kept nowhere.
const newest = paiModels.getModelOutput({ modelName, approvalStatus: "Approved" });

// A lookup kept in the state: a newly approved version shows in `pulumi preview` as an update of
// exactly the properties that changed (uri, versionName, modelVersion).
const model = new paiModels.ModelLookup("model", { modelName, approvalStatus: "Approved" });

export const modelId = model.modelId;
export const versionName = model.versionName;
export const modelPath = model.uri;
export const newestUri = newest.uri;
// What an alicloud.pai.Service takes as serviceConfig (README.md shows the resource).
export const serviceConfig = pulumi.jsonStringify({
    metadata: { name: serviceName, instance: 1, cpu: 1, memory: 2000 },
    model_path: model.uri,
    processor,
});
