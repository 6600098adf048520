// Look up models in Alibaba Cloud PAI's model registry (ListModels); pass the chosen version's URI to deployments.
package paimodels
