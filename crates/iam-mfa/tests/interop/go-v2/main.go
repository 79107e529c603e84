// Command go-v2 gets credentials for the shared-config profile os.Args[1] with the AWS SDK for
// Go v2 (Debian's golang-github-aws-aws-sdk-go-v2-dev) and prints one field of
// sts:GetCallerIdentity at the endpoint os.Args[2]: os.Args[3] (Account or Arn), by
// default the account. Built offline in GOPATH mode by the tests.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(os.Args[1]))
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(1)
	}
	client := sts.NewFromConfig(cfg, func(o *sts.Options) {
		o.EndpointResolver = sts.EndpointResolverFromURL(os.Args[2])
	})
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "GetCallerIdentity:", err)
		os.Exit(1)
	}
	field := "Account"
	if len(os.Args) > 3 {
		field = os.Args[3]
	}
	switch field {
	case "Account":
		fmt.Println(*out.Account)
	case "Arn":
		fmt.Println(*out.Arn)
	default:
		fmt.Fprintln(os.Stderr, "unknown field:", field)
		os.Exit(2)
	}
}
