// Command go-v1 gets credentials for the shared-config profile os.Args[1] with the AWS SDK for
// Go v1 (Debian's golang-github-aws-aws-sdk-go-dev) and prints one field of
// sts:GetCallerIdentity at the endpoint os.Args[2]: os.Args[3] (Account or Arn), by
// default the account. Built offline in GOPATH mode by the tests.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/sts"
)

func main() {
	sess, err := session.NewSessionWithOptions(session.Options{
		Profile:           os.Args[1],
		SharedConfigState: session.SharedConfigEnable,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "session:", err)
		os.Exit(1)
	}
	out, err := sts.New(sess, aws.NewConfig().WithEndpoint(os.Args[2])).
		GetCallerIdentity(&sts.GetCallerIdentityInput{})
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
