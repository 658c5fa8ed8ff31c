// daprd with exactly the components openfunction-events generates (and the ones the tests need), registered here
// instead of through dapr's `stablecomponents`/`allcomponents` build tags, which compile every cloud SDK and still
// leave out pubsub.jetstream and bindings.mqtt3. Each registration is the one in dapr's own
// cmd/daprd/components/<kind>_<name>.go, under the same names. The build overlays components/zz_notag.go (whose only
// job is to panic when no tag is set) with an empty file; see scripts/peers.sh.
package main

import (
	"github.com/dapr/components-contrib/bindings"
	"github.com/dapr/components-contrib/bindings/cron"
	"github.com/dapr/components-contrib/bindings/http"
	"github.com/dapr/components-contrib/bindings/kafka"
	mqtt3 "github.com/dapr/components-contrib/bindings/mqtt3"
	"github.com/dapr/components-contrib/nameresolution/mdns"
	"github.com/dapr/components-contrib/pubsub/jetstream"
	pubsubKafka "github.com/dapr/components-contrib/pubsub/kafka"
	pubsubRedis "github.com/dapr/components-contrib/pubsub/redis"
	"github.com/dapr/components-contrib/secretstores/local/file"
	stateRedis "github.com/dapr/components-contrib/state/redis"
	"github.com/dapr/dapr/cmd/daprd/app"
	bindingsLoader "github.com/dapr/dapr/pkg/components/bindings"
	nrLoader "github.com/dapr/dapr/pkg/components/nameresolution"
	pubsubLoader "github.com/dapr/dapr/pkg/components/pubsub"
	secretstoresLoader "github.com/dapr/dapr/pkg/components/secretstores"
	stateLoader "github.com/dapr/dapr/pkg/components/state"
	"github.com/dapr/kit/logger"
)

func init() {
	bindingsLoader.DefaultRegistry.RegisterInputBinding(cron.NewCron, "cron")
	bindingsLoader.DefaultRegistry.RegisterOutputBinding(http.NewHTTP, "http")
	bindingsLoader.DefaultRegistry.RegisterInputBinding(func(l logger.Logger) bindings.InputBinding { return kafka.NewKafka(l) }, "kafka")
	bindingsLoader.DefaultRegistry.RegisterOutputBinding(func(l logger.Logger) bindings.OutputBinding { return kafka.NewKafka(l) }, "kafka")
	bindingsLoader.DefaultRegistry.RegisterInputBinding(func(l logger.Logger) bindings.InputBinding { return mqtt3.NewMQTT(l) }, "mqtt3", "mqtt")
	bindingsLoader.DefaultRegistry.RegisterOutputBinding(func(l logger.Logger) bindings.OutputBinding { return mqtt3.NewMQTT(l) }, "mqtt3", "mqtt")
	pubsubLoader.DefaultRegistry.RegisterComponent(jetstream.NewJetStream, "jetstream")
	pubsubLoader.DefaultRegistry.RegisterComponent(pubsubKafka.NewKafka, "kafka")
	pubsubLoader.DefaultRegistry.RegisterComponent(pubsubRedis.NewRedisStreams, "redis")
	stateLoader.DefaultRegistry.RegisterComponent(stateRedis.NewRedisStateStore, "redis")
	// Secret references in components resolve through a secret store in standalone mode; the local file store
	// stands in for the Kubernetes one outside a cluster.
	secretstoresLoader.DefaultRegistry.RegisterComponent(file.NewLocalSecretStore, "local.file")
	nrLoader.DefaultRegistry.RegisterComponent(mdns.NewResolver, "mdns")
}

func main() {
	app.Run()
}
