// Gets credentials for the shared-config profile argv[2] with the AWS SDK for JavaScript v3
// (fromIni) and prints one field of sts:GetCallerIdentity at the endpoint argv[3]: argv[4]
// (`Account` or `Arn`), by default the account.
import { fromIni } from "@aws-sdk/credential-providers";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

const [profile, endpoint, field = "Account"] = process.argv.slice(2);
const client = new STSClient({ credentials: fromIni({ profile }), endpoint });
const identity = await client.send(new GetCallerIdentityCommand({}));
console.log(identity[field]);
