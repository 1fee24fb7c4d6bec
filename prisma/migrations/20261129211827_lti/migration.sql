-- CreateEnum
CREATE TYPE "LtiScoreStatus" AS ENUM ('pending', 'delivered', 'failed', 'superseded');

-- CreateTable
CREATE TABLE "lti_keys" (
    "id" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "publicJwk" JSONB NOT NULL,
    "privateJwe" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "lti_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lti_platforms" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "deploymentIds" TEXT[],
    "authUrl" TEXT NOT NULL,
    "tokenUrl" TEXT NOT NULL,
    "tokenAudience" TEXT,
    "jwksUrl" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "lti_platforms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lti_login_states" (
    "state" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "platformId" TEXT NOT NULL,
    "browserHash" TEXT NOT NULL,
    "targetLinkUri" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lti_login_states_pkey" PRIMARY KEY ("state")
);

-- CreateTable
CREATE TABLE "lti_identities" (
    "id" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "lti_identities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lti_contexts" (
    "id" TEXT NOT NULL,
    "platformId" TEXT NOT NULL,
    "contextId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "membershipsUrl" TEXT,
    "instructorIds" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "lti_contexts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lti_deep_link_requests" (
    "id" TEXT NOT NULL,
    "platformId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "returnUrl" TEXT NOT NULL,
    "data" TEXT,
    "acceptMultiple" BOOLEAN NOT NULL DEFAULT true,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lti_deep_link_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lti_grade_links" (
    "id" TEXT NOT NULL,
    "platformId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "labSlug" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "lineItemUrl" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "lti_grade_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lti_score_deliveries" (
    "id" TEXT NOT NULL,
    "linkId" TEXT NOT NULL,
    "score" JSONB NOT NULL,
    "status" "LtiScoreStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastStatusCode" INTEGER,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "lti_score_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "lti_keys_kid_key" ON "lti_keys"("kid");

-- CreateIndex
CREATE INDEX "lti_keys_retiredAt_createdAt_idx" ON "lti_keys"("retiredAt", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "lti_platforms_issuer_clientId_key" ON "lti_platforms"("issuer", "clientId");

-- CreateIndex
CREATE UNIQUE INDEX "lti_login_states_nonce_key" ON "lti_login_states"("nonce");

-- CreateIndex
CREATE INDEX "lti_login_states_expiresAt_idx" ON "lti_login_states"("expiresAt");

-- CreateIndex
CREATE INDEX "lti_identities_userId_idx" ON "lti_identities"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "lti_identities_issuer_subject_key" ON "lti_identities"("issuer", "subject");

-- CreateIndex
CREATE UNIQUE INDEX "lti_contexts_platformId_contextId_key" ON "lti_contexts"("platformId", "contextId");

-- CreateIndex
CREATE INDEX "lti_deep_link_requests_expiresAt_idx" ON "lti_deep_link_requests"("expiresAt");

-- CreateIndex
CREATE INDEX "lti_grade_links_userId_labSlug_idx" ON "lti_grade_links"("userId", "labSlug");

-- CreateIndex
CREATE UNIQUE INDEX "lti_grade_links_platformId_userId_labSlug_lineItemUrl_key" ON "lti_grade_links"("platformId", "userId", "labSlug", "lineItemUrl");

-- CreateIndex
CREATE INDEX "lti_score_deliveries_status_nextAttemptAt_idx" ON "lti_score_deliveries"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "lti_score_deliveries_linkId_createdAt_idx" ON "lti_score_deliveries"("linkId", "createdAt");

-- AddForeignKey
ALTER TABLE "lti_login_states" ADD CONSTRAINT "lti_login_states_platformId_fkey" FOREIGN KEY ("platformId") REFERENCES "lti_platforms"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lti_contexts" ADD CONSTRAINT "lti_contexts_platformId_fkey" FOREIGN KEY ("platformId") REFERENCES "lti_platforms"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lti_deep_link_requests" ADD CONSTRAINT "lti_deep_link_requests_platformId_fkey" FOREIGN KEY ("platformId") REFERENCES "lti_platforms"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lti_grade_links" ADD CONSTRAINT "lti_grade_links_platformId_fkey" FOREIGN KEY ("platformId") REFERENCES "lti_platforms"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lti_score_deliveries" ADD CONSTRAINT "lti_score_deliveries_linkId_fkey" FOREIGN KEY ("linkId") REFERENCES "lti_grade_links"("id") ON DELETE CASCADE ON UPDATE CASCADE;
