//! iam-mfa: enforce and use MFA on AWS IAM.
