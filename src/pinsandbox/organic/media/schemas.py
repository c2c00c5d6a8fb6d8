"""Media uploads: `MediaUploadRequest`, `MediaUpload`, `MediaUploadDetails` as the spec names them."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class MediaUploadType(str, Enum):
    video = "video"


class MediaUploadStatus(str, Enum):
    registered = "registered"
    processing = "processing"
    succeeded = "succeeded"
    failed = "failed"


class MediaUploadRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    media_type: MediaUploadType


class MediaUploadParameters(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    x_amz_date: str = Field(alias="x-amz-date")
    x_amz_signature: str = Field(alias="x-amz-signature")
    x_amz_security_token: str = Field(alias="x-amz-security-token")
    x_amz_algorithm: str = Field(alias="x-amz-algorithm")
    key: str
    policy: str
    x_amz_credential: str = Field(alias="x-amz-credential")
    content_type: str = Field(alias="Content-Type")


class MediaUpload(BaseModel):
    media_id: str
    media_type: MediaUploadType
    upload_url: str
    upload_parameters: MediaUploadParameters


class MediaUploadDetails(BaseModel):
    media_id: str
    media_type: MediaUploadType
    status: MediaUploadStatus


class MediaUploadList(BaseModel):
    items: list[MediaUploadDetails]
    bookmark: str | None = None
