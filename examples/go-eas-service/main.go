// Look a PAI model up from Go with the pai-models provider plugin, and build an EAS service config from it.
package main

import (
	paimodels "github.com/YOUR-ORG/pulumi-pai-models/sdk/go/pai-models"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		modelName := pulumi.String(cfg.Require("modelName"))

		// A function: asked again on every preview and update, kept nowhere.
		newest := paimodels.GetModelOutput(ctx, paimodels.GetModelOutputArgs{
			ModelName:      modelName,
			ApprovalStatus: pulumi.String("Approved"),
		})

		// A lookup kept in the state: a newly approved version shows in `pulumi preview` as an update of
		// exactly the properties that changed (uri, versionName, modelVersion).
		model, err := paimodels.NewModelLookup(ctx, "model", &paimodels.ModelLookupArgs{
			ModelName:      modelName,
			ApprovalStatus: pulumi.String("Approved"),
		})
		if err != nil {
			return err
		}

		ctx.Export("modelId", model.ModelId)
		ctx.Export("versionName", model.VersionName)
		ctx.Export("modelPath", model.Uri)
		ctx.Export("newestUri", newest.Uri())
		// What an alicloud pai.Service takes as ServiceConfig (README.md shows the resource).
		ctx.Export("serviceConfig", pulumi.JSONMarshal(pulumi.Map{
			"metadata": pulumi.Map{
				"name":     pulumi.String(cfg.Require("serviceName")),
				"instance": pulumi.Int(1),
				"cpu":      pulumi.Int(1),
				"memory":   pulumi.Int(2000),
			},
			"model_path": model.Uri,
			"processor":  pulumi.String(cfg.Require("processor")),
		}))
		return nil
	})
}
