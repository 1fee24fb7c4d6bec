-- AlterTable
ALTER TABLE "lab_sessions" ADD COLUMN     "replacedById" TEXT;
