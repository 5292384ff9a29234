package ec2fake

// ClientEnv is the environment that points the AWS SDK (and so
// ec2-inventory) at a fake endpoint: static example credentials, a region,
// and no shared config, credentials files or instance metadata from the
// machine. Entries are KEY=VALUE.
func ClientEnv(url string) []string {
	return []string{
		"AWS_ENDPOINT_URL=" + url,
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=" + SecretAccessKey,
		"AWS_REGION=us-east-1",
		"AWS_PROFILE=",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// SecretAccessKey is the secret ClientEnv sets; tests check it never shows
// in output.
const SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
