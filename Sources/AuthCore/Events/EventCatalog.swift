import EventLog

/// Every event type of the domain: the list the schema tests and `authctl` work from.
public enum EventCatalog {
    /// All event types this code writes.
    public static let all: [any DomainEvent.Type] = [
        UserRegistered.self, PasswordChanged.self, PasswordRehashed.self,
        LoginSucceeded.self, LoginFailed.self, LoginThrottled.self,
        SessionCreated.self, SessionExtended.self, SessionRevoked.self, SessionReauthenticated.self, SessionTokenRotated.self,
        RefreshFamilyStarted.self, RefreshRotated.self, RefreshReuseDetected.self, RefreshFamilyRevoked.self,
        SigningKeyRotated.self,
        PasskeyRegistered.self, PasskeyCounterAdvanced.self, PasskeyCounterRegressed.self, PasskeyRenamed.self, PasskeyDeleted.self,
        LoginMFARequired.self, SessionSteppedUp.self,
        MFATOTPEnrollmentStarted.self, MFATOTPEnabled.self, MFATOTPDisabled.self, MFATOTPVerified.self, MFAVerificationFailed.self,
        MFABackupCodesGenerated.self, MFABackupCodeUsed.self,
        MFARecoveryRequested.self, MFARecoveryCancelled.self, MFARecoveryCompleted.self, MFARecoveryReminded.self, MFALocked.self,
        // Account lifecycle.
        EmailVerificationSent.self, EmailVerified.self, PasswordResetRequested.self, PasswordResetRefused.self,
        PasswordResetCompleted.self, EmailChangeRequested.self, EmailChanged.self, UserDeleted.self,
        UserPersonalDataSealed.self,
        IdentityLinked.self, IdentityUnlinked.self,
        // Authorization
        RoleDefined.self, RolePermissionsChanged.self, RoleDeleted.self, RoleGranted.self, RoleRevoked.self,
        UserAttributesChanged.self, PolicyLoaded.self, UserLocked.self, UserUnlocked.self,
    ]

    /// The type for a type name.
    public static func type(named name: String) -> (any DomainEvent.Type)? {
        all.first { $0.type == name }
    }
}
